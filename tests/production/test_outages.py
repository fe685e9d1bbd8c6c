"""Redis or PostgreSQL stopped under traffic: ready names it, clear 503s, nothing half-written,
and service resumes by itself once it is back (servers the test starts itself)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from musaic import create_app
from musaic.extensions import db
from musaic.models import Playlist, PlaylistTrack
from tests.catalog_world.standard import World, standard_world
from tests.production.servers import PostgresCluster, RedisServer, wait_until

BUDGET_S = 10.0  # every answer, during an outage too, well below the 30 s worker timeout
OUTAGE_CODES = {"database_unavailable", "session_store_unavailable"}


@dataclass
class Stack:
    """A Musaic app on a private PostgreSQL cluster and a private Redis."""

    app: Any
    world: World
    postgres: PostgresCluster
    redis: RedisServer


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    postgres, redis = PostgresCluster().start(), RedisServer().start()
    app = create_app("test", SQLALCHEMY_DATABASE_URI=postgres.url, REDIS_URL=redis.url)
    try:
        with app.app_context():
            upgrade()
            world = standard_world(with_index=False)
        yield Stack(app, world, postgres, redis)
    finally:
        with app.app_context():
            db.engine.dispose()
        redis.stop()
        postgres.remove()


@dataclass
class Traffic:
    """One listener generating playlists in a loop, recording every answer."""

    stack: Stack
    answers: list[tuple[int, str, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        client = self.stack.app.test_client()
        body = {"seed": self.stack.world.seed, "length": 5}
        while not self.stop.is_set() and len(self.answers) < 2000:
            started = time.monotonic()
            response = client.post("/api/playlists", json=body)
            error = (response.get_json() or {}).get("error", {}).get("code", "")
            if response.status_code == 503:
                assert int(response.headers["Retry-After"]) > 0
            self.answers.append((response.status_code, error, time.monotonic() - started))
            time.sleep(0.02)

    def statuses(self) -> set[tuple[int, str]]:
        return {(status, code) for status, code, _ in self.answers}


def _ready(stack: Stack) -> tuple[int, str]:
    response = stack.app.test_client().get("/api/ready")
    body = response.get_json()
    return response.status_code, body.get("error", {}).get("details", {}).get("dependency", "")


def _through_an_outage(stack: Stack, stop: Any, start: Any, dependency: str) -> Traffic:
    traffic = Traffic(stack)
    thread = threading.Thread(target=traffic.run, daemon=True)
    thread.start()
    wait_until(lambda: len(traffic.answers) >= 3, BUDGET_S, "traffic before the outage")
    stop()
    assert _ready(stack) == (503, dependency)
    seen = len(traffic.answers)
    wait_until(lambda: len(traffic.answers) >= seen + 3, BUDGET_S * 3, "answers during the outage")
    start()
    wait_until(lambda: _ready(stack)[0] == 200, BUDGET_S * 3, "readiness after the outage")
    seen = len(traffic.answers)
    wait_until(
        lambda: traffic.answers[-1][0] == 201 and len(traffic.answers) > seen + 2,
        BUDGET_S * 3,
        "generation after the outage",
    )
    traffic.stop.set()
    thread.join(timeout=BUDGET_S * 2)
    return traffic


def _assert_nothing_half_written(stack: Stack, traffic: Traffic) -> None:
    saved = sum(1 for status, _, _ in traffic.answers if status == 201)
    with stack.app.app_context():
        db.session.remove()
        assert db.session.scalar(select(func.count(Playlist.id))) == saved
        rows = select(PlaylistTrack.playlist_id, func.count(), func.max(PlaylistTrack.position))
        per_playlist = db.session.execute(rows.group_by(PlaylistTrack.playlist_id)).all()
        assert len(per_playlist) == saved  # every saved playlist has its items ...
        assert all(count == top + 1 == 5 for _, count, top in per_playlist)  # ... all of them


def _clear(stack: Stack) -> None:
    with stack.app.app_context():
        db.session.execute(PlaylistTrack.__table__.delete())
        db.session.execute(Playlist.__table__.delete())
        db.session.commit()


def test_postgres_stopped_under_traffic(stack: Stack) -> None:
    _clear(stack)
    traffic = _through_an_outage(stack, stack.postgres.stop, stack.postgres.start, "database")
    assert traffic.statuses() == {(201, ""), (503, "database_unavailable")}
    assert max(elapsed for _, _, elapsed in traffic.answers) < BUDGET_S
    _assert_nothing_half_written(stack, traffic)


def test_redis_stopped_under_traffic(stack: Stack) -> None:
    _clear(stack)
    traffic = _through_an_outage(stack, stack.redis.stop, stack.redis.start, "redis")
    assert (201, "") in traffic.statuses()
    assert {code for status, code in traffic.statuses() if status != 201} == {
        "session_store_unavailable"
    }
    assert max(elapsed for _, _, elapsed in traffic.answers) < BUDGET_S
    _assert_nothing_half_written(stack, traffic)
