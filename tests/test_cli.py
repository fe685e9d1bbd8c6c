"""The `musaic` console script: migrations and a real server from the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

MUSAIC = str(Path(sys.executable).with_name("musaic"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_db_upgrade_then_serve_answers_health(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "SESSION_DIR": str(tmp_path / "sessions"),
        "MUSAIC_ENV": "development",
    }
    upgrade = subprocess.run([MUSAIC, "db", "upgrade"], env=env, capture_output=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr
    port = _free_port()
    server = subprocess.Popen(
        [MUSAIC, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            except requests.ConnectionError:
                time.sleep(0.2)
        assert answer is not None and answer.json() == {"status": "ok"}
        ready = requests.get(f"http://127.0.0.1:{port}/api/ready", timeout=5).json()
        assert ready["checks"]["database"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=10)
