"""A real Musaic server process for the browser tests, on a copy of a small indexed catalog."""

from __future__ import annotations

import gzip
import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.conftest import REPO_DIR, SHARED_DATA_DIR

SONGS = SHARED_DATA_DIR / "tidytuesday_spotify_songs" / "spotify_songs.csv.gz"
CATALOG_ROWS = 3000  # the same rows the Spotify stand-in serves, so every track resolves
TOKEN_KEY = "HrTRVSTWp-1iVNbJqKVDj4KKR1bLwkvhz7bThG43LDk="
MUSAIC = [str(Path(sys.executable).with_name("musaic"))]  # the console script of this venv


def _cli(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [*MUSAIC, *args], env=env, cwd=REPO_DIR, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"musaic {' '.join(args)} failed:\n{done.stderr[-2000:]}"


def build_catalog(folder: Path) -> Path:
    """Import the first CATALOG_ROWS TidyTuesday rows into a fresh SQLite file and index it."""
    rows = folder / "songs.csv"
    with gzip.open(SONGS, "rt", newline="") as source, rows.open("w", newline="") as out:
        out.writelines(itertools.islice(source, CATALOG_ROWS + 1))
    database = folder / "catalog.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING"}
    _cli(["db", "upgrade"], env)
    _cli(["catalog", "import", str(rows)], env)
    _cli(["index", "build"], env)
    rows.unlink()
    return database


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MusaicProcess:
    """`musaic serve` in its own process, pointed at the Spotify stand-in."""

    def __init__(self, catalog: Path, folder: Path, standin: Any, **env: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        database = self.database = folder / "musaic.sqlite3"
        shutil.copyfile(catalog, database)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "server.log"
        self.env = {
            **os.environ,
            "MUSAIC_ENV": "development",
            "DATABASE_URL": f"sqlite:///{database}",
            "REDIS_URL": "",
            "SESSION_DIR": str(folder / "sessions"),
            "SPOTIFY_CLIENT_ID": standin.accounts.client_id,
            "SPOTIFY_CLIENT_SECRET": standin.accounts.client_secret,
            "SPOTIFY_API_BASE_URL": standin.api_base_url,
            "SPOTIFY_ACCOUNTS_BASE_URL": standin.accounts_base_url,
            "SPOTIFY_REDIRECT_URI": f"{self.url}/api/auth/callback",
            "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> MusaicProcess:
        """Start serving and wait until /api/health answers."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [*MUSAIC, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                cwd=REPO_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"musaic serve exited:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"musaic serve did not answer within 60 s:\n{self.log()}")

    def log(self) -> str:
        """Return the end of the server's output."""
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """Stop the process (and only it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
