"""Two gunicorn instances on two ports, one PostgreSQL and one Redis: either serves anyone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from benchmarks.load import Targets, run_load
from tests.catalog_world.standard import World, standard_world
from tests.conftest import make_app, spotify_settings
from tests.production.servers import Gunicorn


def process_env(app: Any, redis_url: str, standin: Any, callback_base: str) -> dict[str, str]:
    """The environment a dyno gets: shared database, Redis, secrets and Spotify settings."""
    spotify = spotify_settings(standin, f"{callback_base}/api/auth/callback")
    return {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "SECRET_KEY": "two-processes-share-this-secret-key-0123456789",
        "REDIS_KEY_PREFIX": app.config["SESSION_KEY_PREFIX"],
        **{name: str(value) for name, value in spotify.items()},
    }


@pytest.fixture
def world_and_pair(
    request: pytest.FixtureRequest, tmp_path: Path, standin: Any
) -> Iterator[tuple[World, Gunicorn, Gunicorn]]:
    """A catalog on the run's PostgreSQL database and two gunicorn instances serving it."""
    app = make_app("postgres", request, tmp_path)
    with app.app_context():
        world = standard_world()
    first = Gunicorn({})
    env = process_env(app, request.getfixturevalue("redis_url"), standin, first.url)
    first.env.update(env)
    second = Gunicorn(env)
    try:
        first.launch(), second.launch()
        first.wait_ready(), second.wait_ready()
        yield world, first, second
    finally:
        first.terminate(), second.terminate()
        first.stop(), second.stop()


def test_logins_playlists_and_load_are_shared_by_two_processes(
    world_and_pair: tuple[World, Gunicorn, Gunicorn], standin: Any
) -> None:
    world, first, second = world_and_pair
    with requests.Session() as browser:
        _use_both(browser, world, first, second, standin)
    _short_load(world, first, second)


def _use_both(
    browser: requests.Session, world: World, first: Gunicorn, second: Gunicorn, standin: Any
) -> None:
    # Start the login on the second process; Spotify sends the browser back to the first.
    login = browser.get(f"{second.url}/api/auth/login", params={"next": "/"}, timeout=20)
    assert login.history and login.history[-1].url.startswith(f"{first.url}/api/auth/callback")
    for server in (first, second):
        status = browser.get(f"{server.url}/api/auth/status", timeout=10).json()
        assert status["logged_in"] is True, server.url
        assert status["user"]["display_name"] == standin.accounts.user().display_name
    outside_catalog = next(iter(standin.catalog.tracks))  # looked up with the stored tokens
    made = {}
    for server, seed in ((first, world.seed), (second, outside_catalog)):
        response = browser.post(
            f"{server.url}/api/playlists", json={"seed": seed, "length": 5}, timeout=30
        )
        assert response.status_code == 201, response.text
        made[server.url] = response.json()["id"]
    for server in (first, second):
        listed = browser.get(f"{server.url}/api/playlists", timeout=10).json()
        assert sorted(p["id"] for p in listed["items"]) == sorted(made.values())
        for playlist_id in made.values():
            steps = playlist_steps(browser, server.url, playlist_id)
            assert all(status < 300 for status in steps.values()), (server.url, steps)
    # Each playlist was saved through both processes: created once, then updated in place.
    saved = standin.web_api.owned_by(standin.accounts.user().account_id)
    assert len(saved) == len(made)


def _short_load(world: World, first: Gunicorn, second: Gunicorn) -> None:
    """A fixed-rate run of search + generate alternating between the processes: no errors."""
    seeds = [track for tracks in world.tracks_by_artist.values() for track in tracks]
    targets = Targets(urls=[first.url, second.url], queries=["song", "seed band"], seeds=seeds)
    report = run_load(targets, rate=10, duration_s=2)  # `python -m benchmarks load` runs longer
    assert report["kinds"]["all"] == {**report["kinds"]["all"], "requests": 20, "errors": 0}
    assert set(report["kinds"]) == {"all", "search", "generate"}


def playlist_steps(browser: requests.Session, base: str, playlist_id: int) -> dict[str, int]:
    """Run every per-playlist step through `base`: read, rename, save to Spotify."""
    url = f"{base}/api/playlists/{playlist_id}"
    return {
        "read": browser.get(url, timeout=10).status_code,
        "rename": browser.patch(url, json={"name": f"via {base}"}, timeout=10).status_code,
        "export": browser.post(f"{url}/export", json={}, timeout=30).status_code,
    }
