"""SpotifyClient failure handling over loopback: 429, quota, 5xx, timeouts, 401 refresh, secrecy."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from musaic.errors import UnauthorisedError, UpstreamError
from musaic.spotify import (
    SpotifyClient,
    SpotifyError,
    SpotifyQuotaExceededError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
)
from tests.spotify_standin import IssuedTokens, SpotifyStandIn


def test_short_retry_after_is_waited_then_the_call_succeeds(
    client: SpotifyClient, standin: SpotifyStandIn, sleeps: list[float], track_id: str
) -> None:
    standin.faults.rate_limited(retry_after=2)
    assert client.get_track(track_id).spotify_id == track_id
    assert sleeps == [2]
    assert len(standin.requests) == 2


def test_long_retry_after_raises_rate_limited_with_retry_after(
    client: SpotifyClient, standin: SpotifyStandIn, sleeps: list[float], track_id: str
) -> None:
    standin.faults.rate_limited(retry_after=30)
    with pytest.raises(SpotifyRateLimitedError) as caught:
        client.get_track(track_id)
    error = caught.value
    assert (error.retry_after, error.status_code, error.code) == (30, 503, "spotify_rate_limited")
    assert error.headers == {"Retry-After": "30"}
    assert isinstance(error, UpstreamError)
    assert sleeps == [] and len(standin.requests) == 1


def test_rate_limit_waits_are_bounded(
    client: SpotifyClient, standin: SpotifyStandIn, sleeps: list[float], track_id: str
) -> None:
    standin.faults.rate_limited(retry_after=1, times=5)
    with pytest.raises(SpotifyRateLimitedError):
        client.get_track(track_id)
    assert sleeps == [1, 1]
    assert len(standin.requests) == 3


def test_quota_exceeded_raises_even_with_a_short_retry_after(
    client: SpotifyClient, standin: SpotifyStandIn, sleeps: list[float], track_id: str
) -> None:
    standin.faults.quota_exceeded(retry_after=1)
    with pytest.raises(SpotifyQuotaExceededError) as caught:
        client.get_track(track_id)
    assert (caught.value.code, caught.value.status_code) == ("spotify_quota_exceeded", 503)
    assert sleeps == []


def test_server_errors_are_retried_with_backoff_then_succeed(
    client: SpotifyClient, standin: SpotifyStandIn, sleeps: list[float], track_id: str
) -> None:
    standin.faults.server_error(503, times=2)
    assert client.get_track(track_id).spotify_id == track_id
    assert len(standin.requests) == 3
    assert len(sleeps) == 2 and 0 < sleeps[0] <= 0.25 and sleeps[1] <= 0.5


def test_server_errors_beyond_max_retries_raise_unavailable(
    client: SpotifyClient, standin: SpotifyStandIn, track_id: str
) -> None:
    standin.faults.server_error(500, times=3)
    with pytest.raises(SpotifyUnavailableError) as caught:
        client.get_track(track_id)
    assert (caught.value.status_code, caught.value.code) == (503, "spotify_unavailable")
    assert len(standin.requests) == 3


def test_a_post_is_not_retried_after_a_500(client: SpotifyClient, standin: SpotifyStandIn) -> None:
    standin.faults.server_error(500)
    with pytest.raises(SpotifyUnavailableError):
        client.create_playlist("Maybe created")
    assert [r.method for r in standin.requests] == ["POST"]


def test_an_answer_slower_than_the_read_timeout_raises_unavailable(
    make_client: Callable[..., SpotifyClient], standin: SpotifyStandIn, track_id: str
) -> None:
    client = make_client(read_timeout=0.2, max_retries=1)
    standin.faults.slow(1.0, times=2)
    with pytest.raises(SpotifyUnavailableError) as caught:
        client.get_track(track_id)
    assert "ReadTimeout" in caught.value.message
    assert len(standin.requests) == 2


def test_a_dropped_connection_is_retried(
    client: SpotifyClient, standin: SpotifyStandIn, track_id: str
) -> None:
    standin.faults.drop_connection()
    assert client.get_track(track_id).spotify_id == track_id
    assert len(standin.requests) == 2


def test_401_refreshes_once_then_retries(
    make_client: Callable[..., SpotifyClient], standin: SpotifyStandIn, tokens: IssuedTokens
) -> None:
    current = {"token": tokens.access_token}
    refreshes: list[int] = []

    def refresh() -> None:
        refreshes.append(1)
        current["token"] = standin.accounts.issue_tokens().access_token

    standin.accounts.expire_access_tokens()
    client = make_client(token_provider=lambda: current["token"], on_unauthorised=refresh)
    assert client.get_me().account_id == standin.users[0].account_id
    assert refreshes == [1]
    assert len(standin.requests) == 2


def test_a_second_401_asks_the_listener_to_log_in_again(
    make_client: Callable[..., SpotifyClient], standin: SpotifyStandIn
) -> None:
    refreshes: list[int] = []
    client = make_client(
        token_provider=lambda: "revoked", on_unauthorised=lambda: refreshes.append(1)
    )
    with pytest.raises(SpotifyReauthRequiredError) as caught:
        client.get_me()
    assert isinstance(caught.value, UnauthorisedError)
    assert (caught.value.status_code, caught.value.code) == (401, "spotify_reauth_required")
    assert refreshes == [1] and len(standin.requests) == 2


def test_the_token_never_appears_in_errors_or_recorded_calls(
    make_client: Callable[..., SpotifyClient],
    standin: SpotifyStandIn,
    tokens: IssuedTokens,
    calls: list[tuple[str, str, int | None, float]],
    track_id: str,
) -> None:
    client = make_client(read_timeout=0.2, max_retries=0)
    standin.faults.rate_limited(retry_after=60)
    standin.faults.server_error(500)
    standin.faults.slow(1.0)
    errors: list[SpotifyError] = []
    for _ in range(3):
        with pytest.raises(SpotifyError) as caught:
            client.get_track(track_id)
        errors.append(caught.value)
    for error in errors:
        text = f"{error} {error!r} {error.details} {error.headers}"
        assert tokens.access_token not in text
        assert error.__cause__ is None
    assert calls and tokens.access_token not in repr(calls)
