"""The only code that talks to Spotify: Web API client, OAuth, and their dataclasses and errors."""

from musaic.spotify.client import SpotifyClient
from musaic.spotify.errors import (
    SpotifyBadRequestError,
    SpotifyError,
    SpotifyForbiddenError,
    SpotifyNotFoundError,
    SpotifyOAuthError,
    SpotifyQuotaExceededError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
    SpotifyUpstreamError,
)
from musaic.spotify.factory import SpotifyFactory, SpotifySettings
from musaic.spotify.models import (
    Page,
    SpotifyAlbum,
    SpotifyAlbumRef,
    SpotifyArtist,
    SpotifyArtistRef,
    SpotifyPlay,
    SpotifyPlaylist,
    SpotifyTrack,
    SpotifyUser,
)
from musaic.spotify.oauth import PkcePair, SpotifyOAuth, TokenSet, new_pkce_pair, new_state
from musaic.spotify.transport import CallRecorder, TokenProvider

__all__ = [
    "CallRecorder",
    "Page",
    "PkcePair",
    "SpotifyAlbum",
    "SpotifyAlbumRef",
    "SpotifyArtist",
    "SpotifyArtistRef",
    "SpotifyBadRequestError",
    "SpotifyClient",
    "SpotifyError",
    "SpotifyFactory",
    "SpotifyForbiddenError",
    "SpotifyNotFoundError",
    "SpotifyOAuth",
    "SpotifyOAuthError",
    "SpotifyPlay",
    "SpotifyPlaylist",
    "SpotifyQuotaExceededError",
    "SpotifyRateLimitedError",
    "SpotifyReauthRequiredError",
    "SpotifySettings",
    "SpotifyTrack",
    "SpotifyUnavailableError",
    "SpotifyUpstreamError",
    "SpotifyUser",
    "TokenProvider",
    "TokenSet",
    "new_pkce_pair",
    "new_state",
]
