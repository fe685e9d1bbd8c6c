"""One Spotify budget for every process: a daily call count, a quota wall and a search cache.

State lives in Redis so that a second process (or dyno) sees what the first learnt. Without
Redis (development, tests on SQLite) the same rules apply within the process. A Redis outage
fails open for the budget (calls are still bounded by Spotify's own answers) and never breaks a
request.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from musaic.spotify.errors import SpotifyQuotaExceededError

CACHEABLE_ENDPOINTS = frozenset({"/search"})
_REDIS_ERRORS = (redis.RedisError, OSError)


def seconds_to_utc_midnight(now: float | None = None) -> int:
    """Seconds until the daily budget starts again (00:00 UTC)."""
    moment = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - moment).total_seconds()))


def cache_key(endpoint: str, params: Mapping[str, Any] | None) -> str:
    """Key a cacheable call by endpoint and normalised parameters (never by token)."""
    normal = {k: str(v) for k, v in (params or {}).items()}
    if "q" in normal:
        normal["q"] = " ".join(normal["q"].casefold().split())
    digest = hashlib.sha256(json.dumps([endpoint, sorted(normal.items())]).encode()).hexdigest()
    return digest[:32]


class _LocalStore:
    """The few Redis operations the guard needs, in process memory (no Redis configured)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> tuple[str, float] | None:
        item = self._data.get(key)
        if item is not None and item[1] <= time.time():
            del self._data[key]
            return None
        return item

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._live(key)
            return item[0] if item else None

    def ttl(self, key: str) -> int:
        with self._lock:
            item = self._live(key)
            return int(item[1] - time.time() + 0.999) if item else -2

    def set(self, key: str, value: str, ex: int) -> None:
        with self._lock:
            self._data[key] = (value, time.time() + ex)

    def incr_with_expiry(self, key: str, ex: int) -> int:
        with self._lock:
            item = self._live(key)
            count = int(item[0]) + 1 if item else 1
            self._data[key] = (str(count), item[1] if item else time.time() + ex)
            return count


class SpotifyGuard:
    """Checked before every Spotify call; told about quota walls; caches search answers."""

    def __init__(
        self,
        store: redis.Redis | None = None,
        *,
        daily_budget: int = 0,
        search_ttl: int = 3600,
        prefix: str = "musaic:spotify:",
    ) -> None:
        self._redis = store
        self._local = _LocalStore()
        self.daily_budget = daily_budget
        self.search_ttl = search_ttl
        self._prefix = prefix

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        """Run `operation` on Redis, falling back to process memory when Redis fails."""
        if self._redis is not None:
            try:
                if operation == "incr_with_expiry":
                    pipe = self._redis.pipeline()
                    pipe.incr(args[0])
                    pipe.expire(args[0], kwargs["ex"], nx=True)
                    return int(pipe.execute()[0])
                value = getattr(self._redis, operation)(*args, **kwargs)
                return value.decode() if isinstance(value, bytes) else value
            except _REDIS_ERRORS:
                pass
        return getattr(self._local, operation)(*args, **kwargs)

    def before_call(self, endpoint: str) -> None:
        """Refuse at once behind a quota wall or past the daily budget; else count the call."""
        wall = self._prefix + "quota_wall"
        if self._call("get", wall) is not None:
            retry_after = max(1, int(self._call("ttl", wall)))
            raise SpotifyQuotaExceededError(
                "Musaic's Spotify quota is used up; try again later", retry_after=retry_after
            )
        if self.daily_budget <= 0:
            return
        day = datetime.now(UTC).strftime("%Y%m%d")
        count = self._call("incr_with_expiry", f"{self._prefix}calls:{day}", ex=2 * 86400)
        if count > self.daily_budget:
            raise SpotifyQuotaExceededError(
                f"Musaic's daily budget of {self.daily_budget} Spotify calls is used up",
                retry_after=seconds_to_utc_midnight(),
                details={"budget": self.daily_budget},
            )

    def quota_exceeded(self, retry_after: int) -> None:
        """Remember Spotify's quota wall so that no process calls it before `retry_after`."""
        self._call("set", self._prefix + "quota_wall", "1", ex=max(1, retry_after))

    def cached(self, endpoint: str, params: Mapping[str, Any] | None) -> Any:
        """Return a cached answer for a cacheable call, or None."""
        if endpoint not in CACHEABLE_ENDPOINTS or self.search_ttl <= 0:
            return None
        raw = self._call("get", self._prefix + "cache:" + cache_key(endpoint, params))
        return json.loads(raw) if raw else None

    def remember(self, endpoint: str, params: Mapping[str, Any] | None, body: Any) -> None:
        """Cache the answer of a cacheable call for search_ttl seconds."""
        if endpoint in CACHEABLE_ENDPOINTS and self.search_ttl > 0:
            key = self._prefix + "cache:" + cache_key(endpoint, params)
            self._call("set", key, json.dumps(body), ex=self.search_ttl)
