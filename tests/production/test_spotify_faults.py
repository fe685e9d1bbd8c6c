"""Spotify slow, failing, rate limited or out of quota while a seed is looked up: bounded, clear."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from musaic.extensions import db
from musaic.models import Playlist, Track
from musaic.spotify.factory import SpotifyFactory, SpotifySettings
from tests.conftest import log_in

BUDGET_S = 10.0  # far below gunicorn's 30 s worker timeout: the client always gets JSON

# Quota last: a quota answer raises the shared quota wall, after which nothing reaches Spotify.
FAULTS = {
    "slow": (lambda faults: faults.slow(2.0, times=20), 503, "spotify_unavailable"),
    "5xx": (lambda faults: faults.server_error(503, times=20), 503, "spotify_unavailable"),
    "429": (lambda faults: faults.rate_limited(3600, times=20), 503, "spotify_rate_limited"),
    "quota": (
        lambda faults: faults.quota_exceeded(retry_after=1, times=20),
        503,
        "spotify_quota_exceeded",
    ),
}


@pytest.mark.parametrize("backend", ["postgres"])  # the Spotify path is the same on SQLite
def test_each_spotify_fault_during_generation_is_a_fast_documented_503(
    live: Any, standin: Any
) -> None:
    app = live.server.app
    impatient = replace(SpotifySettings.from_config(app.config), read_timeout=0.5)
    app.extensions["musaic.spotify_factory"] = SpotifyFactory(impatient, sleep=lambda _: None)
    browser = log_in(live)
    seed = next(iter(standin.catalog.tracks))  # not in the catalog: Spotify is asked
    for fault, (inject, status, code) in FAULTS.items():
        inject(standin.faults)
        started = time.monotonic()
        response = browser.post(f"{live.url}/api/playlists", json={"seed": seed}, timeout=30)
        elapsed = time.monotonic() - started
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), fault
        assert response.headers["Content-Type"] == "application/json"
        assert elapsed < BUDGET_S, f"{fault}: {elapsed:.1f} s"
        with app.app_context():
            assert db.session.scalar(select(func.count(Playlist.id))) == 0, fault
            assert db.session.scalar(select(func.count(Track.id))) == 0, fault
        standin.faults.clear()
    time.sleep(1.2)  # the quota wall the last fault raised lasts its Retry-After (1 s here)
    again = browser.post(f"{live.url}/api/playlists", json={"seed": seed}, timeout=30)
    assert again.status_code == 201, again.text  # and it works once Spotify is back
