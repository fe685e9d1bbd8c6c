"""HTTP to the Spotify Web API: auth header, retries, rate limits, errors, call recording."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

from musaic.spotify.deadline import Deadline, bounded_timeout
from musaic.spotify.errors import (
    SpotifyBadRequestError,
    SpotifyError,
    SpotifyForbiddenError,
    SpotifyNotFoundError,
    SpotifyQuotaExceededError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
    SpotifyUpstreamError,
)

if TYPE_CHECKING:
    from musaic.spotify.guard import SpotifyGuard

TokenProvider = Callable[[], str]
CallRecorder = Callable[[str, str, int | None, float], None]
"""Receives (endpoint template, method, status or None when no answer, duration in ms)."""

# POST is not idempotent (it appends items, creates playlists): only retry it when Spotify
# certainly did not act on it (429, 503, or no connection at all).
_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often the client retries before giving up."""

    max_retry_after_seconds: float = 5.0
    max_rate_limit_waits: int = 2
    max_retries: int = 2
    backoff_base_seconds: float = 0.25


def new_session(pool_size: int = 10) -> requests.Session:
    """Build a pooled session without urllib3 retries (retries are done by the transport)."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def parse_retry_after(value: str | None, default: int = 1) -> int:
    """Read a Retry-After header (seconds or HTTP date) as whole seconds, rounded up."""
    if not value:
        return default
    try:
        return max(0, int(float(value) + 0.999))
    except ValueError:
        pass
    try:
        delta = parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return default
    return max(0, int(delta + 0.999))


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


class SpotifyTransport:
    """Send Web API calls, retrying as the policy allows; raise SpotifyError on failure."""

    def __init__(
        self,
        api_base_url: str,
        token_provider: TokenProvider,
        *,
        on_unauthorised: Callable[[], None] | None = None,
        timeout: tuple[float, float] = (3.05, 10.0),
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        recorder: CallRecorder | None = None,
        session: requests.Session | None = None,
        guard: SpotifyGuard | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self._guard = guard
        self._deadline = deadline
        self._base = api_base_url.rstrip("/")
        self._token_provider = token_provider
        self._on_unauthorised = on_unauthorised
        self._timeout = timeout
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._recorder = recorder
        self._session = session or new_session()

    def request(
        self,
        method: str,
        endpoint: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Call `endpoint` (a template such as "/tracks/{id}") and return its decoded JSON body."""
        url = self._base + endpoint.format(
            **{k: quote(v, safe="") for k, v in (path or {}).items()}
        )
        cacheable = method == "GET" and self._guard is not None and not path
        if cacheable and (hit := self._guard.cached(endpoint, params)) is not None:  # type: ignore[union-attr]
            return hit
        body = self._request(method, endpoint, url, params, json)
        if cacheable:
            self._guard.remember(endpoint, params, body)  # type: ignore[union-attr]
        return body

    def _request(self, method: str, endpoint: str, url: str, params: Any, json: Any) -> Any:
        """Send until an answer is final, within the retry policy and the time budget."""
        failures = rate_limit_waits = 0
        refreshed = False
        while True:
            response, failure = self._send(method, endpoint, url, params, json)
            status = response.status_code if response is not None else None
            if status == 401 and not refreshed and self._on_unauthorised is not None:
                refreshed = True
                self._on_unauthorised()
                continue
            if status == 429 and response is not None:
                wait = self._rate_limit_wait(response, endpoint, rate_limit_waits)
                rate_limit_waits += 1
                self._wait(wait, endpoint)
                continue
            if status is None or status >= 500:
                failures += 1
                self._give_up_or_back_off(method, endpoint, status or failure, failures)
                continue
            assert response is not None
            if status >= 400:
                raise _error_for(response, endpoint)
            return _decode(response, endpoint)

    def _send(
        self, method: str, endpoint: str, url: str, params: Any, json: Any
    ) -> tuple[requests.Response | None, str]:
        if self._guard is not None:
            self._guard.before_call(endpoint)
        timeout = bounded_timeout(self._timeout, self._deadline, endpoint)
        started = time.perf_counter()
        status: int | None = None
        headers = {"Authorization": f"Bearer {self._token_provider()}"}
        try:
            response = self._session.request(
                method, url, params=params, json=json, headers=headers, timeout=timeout
            )
            status = response.status_code
            return response, ""
        except requests.RequestException as exc:
            return None, type(exc).__name__
        finally:
            if self._recorder is not None:
                elapsed_ms = (time.perf_counter() - started) * 1000.0
                self._recorder(endpoint, method, status, elapsed_ms)

    def _remaining(self) -> float | None:
        deadline = self._deadline() if self._deadline is not None else None
        return None if deadline is None else deadline - time.monotonic()

    def _wait(self, seconds: float, endpoint: str) -> None:
        """Sleep before a retry, unless the sleep would outlast the request's budget."""
        remaining = self._remaining()
        if remaining is not None and seconds >= remaining - 0.2:
            raise SpotifyUnavailableError(
                f"Spotify did not answer {endpoint} within this request's time budget",
                details={"endpoint": endpoint, "reason": "time_budget"},
            )
        self._sleep(seconds)

    def _rate_limit_wait(self, response: requests.Response, endpoint: str, waits: int) -> int:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if _error_body(response).get("reason") == "QUOTA_EXCEEDED":
            if self._guard is not None:
                self._guard.quota_exceeded(retry_after)
            raise SpotifyQuotaExceededError(
                "Musaic's daily Spotify quota is used up", retry_after=retry_after
            )
        if retry_after > self._policy.max_retry_after_seconds or (
            waits >= self._policy.max_rate_limit_waits
        ):
            raise SpotifyRateLimitedError(
                f"Spotify rate limited {endpoint}", retry_after=max(retry_after, 1)
            )
        return retry_after

    def _give_up_or_back_off(
        self, method: str, endpoint: str, problem: int | str, failures: int
    ) -> None:
        """Sleep before the next attempt, or raise once retrying is pointless or used up."""
        # `problem` is a 5xx status, or the name of the exception when nothing came back.
        retryable = method in _IDEMPOTENT or problem in (503, "ConnectTimeout")
        if not retryable or failures > self._policy.max_retries:
            answer = f"status {problem}" if isinstance(problem, int) else problem
            raise SpotifyUnavailableError(f"Spotify failed {method} {endpoint} ({answer})")
        ceiling = self._policy.backoff_base_seconds * 2 ** (failures - 1)
        self._wait(random.uniform(ceiling / 2, ceiling), endpoint)


def _decode(response: requests.Response, endpoint: str) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise SpotifyUpstreamError(f"Spotify sent a body that is not JSON for {endpoint}") from None


def _error_for(response: requests.Response, endpoint: str) -> SpotifyError:
    status = response.status_code
    message = str(_error_body(response).get("message") or response.reason or "")[:200]
    details = {"endpoint": endpoint, "spotify_status": status, "spotify_message": message}
    if status == 401:
        return SpotifyReauthRequiredError("Spotify rejected the access token", details=details)
    if status == 403:
        return SpotifyForbiddenError(f"Spotify refused {endpoint}", details=details)
    if status == 404:
        return SpotifyNotFoundError(f"Spotify has nothing at {endpoint}", details=details)
    if status == 400:
        return SpotifyBadRequestError(f"Spotify rejected a request to {endpoint}", details=details)
    return SpotifyUpstreamError(f"Spotify answered {status} to {endpoint}", details=details)
