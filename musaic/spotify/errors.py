"""The SpotifyError family: every way talking to Spotify can fail, as Musaic errors."""

from __future__ import annotations

from typing import Any

from musaic.errors import MusaicError, UnauthorisedError, UpstreamError


class SpotifyError(MusaicError):
    """Base of every error raised by musaic.spotify (catch this to catch them all)."""

    status_code = 502
    code = "spotify_error"


class SpotifyUpstreamError(SpotifyError, UpstreamError):
    """Spotify answered in a way Musaic cannot use (an unexpected 4xx or a malformed body)."""

    status_code = 502
    code = "spotify_error"


class SpotifyUnavailableError(SpotifyUpstreamError):
    """Spotify kept failing (5xx after retries, timeouts, connection errors)."""

    status_code = 503
    code = "spotify_unavailable"


class SpotifyRateLimitedError(SpotifyUpstreamError):
    """Spotify asked Musaic to wait longer than it is willing to wait within a request."""

    status_code = 503
    code = "spotify_rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: dict[str, Any] | None = None):
        super().__init__(
            message,
            details={**(details or {}), "retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class SpotifyQuotaExceededError(SpotifyRateLimitedError):
    """The developer account's daily Spotify quota is used up (429 QUOTA_EXCEEDED)."""

    code = "spotify_quota_exceeded"


class SpotifyNotFoundError(SpotifyUpstreamError):
    """Spotify has no such track, artist, album or playlist (404)."""

    status_code = 404
    code = "spotify_not_found"


class SpotifyForbiddenError(SpotifyUpstreamError):
    """Spotify refused the call for this app or listener (403, e.g. not the playlist owner)."""

    status_code = 403
    code = "spotify_forbidden"


class SpotifyBadRequestError(SpotifyUpstreamError):
    """Spotify rejected a request Musaic built (400): a bug on Musaic's side."""

    status_code = 502
    code = "spotify_bad_request"


class SpotifyOAuthError(SpotifyUpstreamError):
    """The accounts service rejected Musaic's own credentials or request (e.g. invalid_client)."""

    status_code = 502
    code = "spotify_oauth_error"


class SpotifyReauthRequiredError(SpotifyError, UnauthorisedError):
    """The listener must log in with Spotify again (invalid_grant, or a token Spotify rejects)."""

    status_code = 401
    code = "spotify_reauth_required"
