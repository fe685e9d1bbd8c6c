"""SpotifyGuard without a Flask app: Redis-backed, and in process memory when Redis fails."""

from __future__ import annotations

import pytest
import redis

from musaic.spotify.errors import SpotifyQuotaExceededError
from musaic.spotify.guard import SpotifyGuard
from tests.throwaway_redis import ThrowawayRedis


def test_a_dead_redis_never_fails_a_call_and_the_wall_moves_to_memory() -> None:
    with ThrowawayRedis() as server:
        guard = SpotifyGuard(redis.Redis.from_url(server.url, socket_timeout=0.5), daily_budget=5)
        guard.before_call("/me")
        guard.remember("/search", {"q": "x"}, {"tracks": {"items": []}})
        assert guard.cached("/search", {"q": " X "}) == {"tracks": {"items": []}}
        server.stop()
        guard.before_call("/me")  # Redis is gone: the call goes ahead, counted in memory
        assert guard.cached("/search", {"q": "x"}) is None
        guard.quota_exceeded(30)
        with pytest.raises(SpotifyQuotaExceededError) as caught:
            guard.before_call("/me")
    assert 1 <= caught.value.retry_after <= 30


def test_without_redis_the_budget_holds_within_the_process() -> None:
    guard = SpotifyGuard(None, daily_budget=2)
    guard.before_call("/me")
    guard.before_call("/me")
    with pytest.raises(SpotifyQuotaExceededError) as caught:
        guard.before_call("/me")
    assert caught.value.details["budget"] == 2
