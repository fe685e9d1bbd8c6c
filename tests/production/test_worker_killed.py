"""A gunicorn worker killed (SIGKILL) in the middle of requests leaves no corrupt rows."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from musaic.extensions import db
from musaic.models import Playlist, PlaylistTrack
from tests.catalog_world.standard import standard_world
from tests.conftest import make_app
from tests.production.servers import Gunicorn, wait_until

LENGTH = 5
CLIENTS = 6


def _generate_until(url: str, seed: int, stop: threading.Event, answers: list[Any]) -> None:
    with requests.Session() as browser:
        while not stop.is_set():
            try:
                response = browser.post(
                    f"{url}/api/playlists", json={"seed": seed, "length": LENGTH}, timeout=20
                )
                answers.append(response.status_code)
            except requests.ConnectionError:
                answers.append("dropped")  # the worker died holding this request


def test_killing_workers_mid_request_leaves_only_whole_playlists(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = make_app("postgres", request, tmp_path)
    with app.app_context():
        seed = standard_world(with_index=False).seed
    server = Gunicorn(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": request.getfixturevalue("redis_url"),
        }
    ).start()
    stop, answers = threading.Event(), []  # type: ignore[var-annotated]
    clients = [
        threading.Thread(target=_generate_until, args=(server.url, seed, stop, answers))
        for _ in range(CLIENTS)
    ]
    try:
        for client in clients:
            client.start()
        wait_until(lambda: answers.count(201) >= 5, 30, "traffic before the kill")
        killed = server.worker_pids()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: set(server.worker_pids()).isdisjoint(killed), 30, "new workers")
        before = answers.count(201)
        wait_until(lambda: answers.count(201) >= before + 5, 60, "traffic after the kill")
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
        server.stop()
    assert set(answers) <= {201, "dropped"}, sorted(set(map(str, answers)))
    with app.app_context():
        saved = db.session.scalar(select(func.count(Playlist.id))) or 0
        rows = select(PlaylistTrack.playlist_id, func.count(), func.max(PlaylistTrack.position))
        per_playlist = db.session.execute(rows.group_by(PlaylistTrack.playlist_id)).all()
        db.engine.dispose()
    # A request may commit and die before answering, never commit half a playlist.
    assert answers.count(201) <= saved <= answers.count(201) + answers.count("dropped")
    assert len(per_playlist) == saved
    assert all(count == top + 1 == LENGTH for _, count, top in per_playlist)
