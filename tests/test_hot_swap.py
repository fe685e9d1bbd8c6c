"""Two serving processes pick up a newly activated index build without a restart."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.test_cli import _free_port

MUSAIC = str(Path(sys.executable).with_name("musaic"))
NEWCOMER = 9  # track "9" only ever shares playlists with the seed in the second import


def _track(number: int) -> dict[str, Any]:
    """Return an MPD track object; every track has its own artist."""
    return {
        "track_uri": f"spotify:track:{number:022d}",
        "track_name": f"Song {number}",
        "artist_name": f"Artist {number}",
        "artist_uri": f"spotify:artist:{number:022d}",
    }


def _slice(path: Path, playlists: list[list[int]], first_pid: int) -> Path:
    """Write an MPD slice of the given playlists (lists of track numbers)."""
    body = [
        {"pid": first_pid + i, "name": f"p{first_pid + i}", "tracks": [_track(n) for n in tracks]}
        for i, tracks in enumerate(playlists)
    ]
    path.write_text(json.dumps({"info": {}, "playlists": body}))
    return path


def _musaic(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([MUSAIC, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[dict[str, str], list[str]]]:
    """Yield the environment and base URLs of two `musaic serve` processes on one database."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'swap.sqlite3'}",
        "SESSION_DIR": str(tmp_path / "sessions"),
        "MUSAIC_ENV": "development",
    }
    _musaic(env, "db", "upgrade")
    first = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 7, 8], [2, 4, 6, 8, 10]]
    _musaic(env, "catalog", "import", str(_slice(tmp_path / "a.json", first, 0)))
    _musaic(env, "index", "build")
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen([MUSAIC, "serve", "--port", str(p)], env=env, stdout=subprocess.DEVNULL)
        for p in ports
    ]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for url in urls:
            _wait_healthy(url)
        yield env, urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def _track_id(env: dict[str, str], number: int) -> int:
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT id FROM tracks WHERE spotify_id = ?", (f"{number:022d}",))
        return int(row.fetchone()[0])


def _reasons(url: str, seed: int) -> dict[int, set[str]]:
    """Generate from `seed` and return each track's reason codes."""
    response = requests.post(f"{url}/api/playlists", json={"seed": seed, "length": 8}, timeout=30)
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    return {i["track"]["id"]: {r["code"] for r in i["reasons"]} for i in items}


def test_both_servers_use_a_rebuilt_index_without_a_restart(
    servers: tuple[dict[str, str], list[str]], tmp_path: Path
) -> None:
    env, urls = servers
    seed = _track_id(env, 1)
    for url in urls:
        _reasons(url, seed)  # each process has served (and cached) the first build
    again = [[1, NEWCOMER, 11], [1, NEWCOMER, 12], [1, NEWCOMER, 13]]
    _musaic(env, "catalog", "import", str(_slice(tmp_path / "b.json", again, 100)))
    newcomer = _track_id(env, NEWCOMER)
    for url in urls:  # imported, but the active build has never heard of it
        assert "cooccurrence" not in _reasons(url, seed).get(newcomer, set())
    _musaic(env, "index", "build")
    for url in urls:
        assert "cooccurrence" in _reasons(url, seed).get(newcomer, set())
