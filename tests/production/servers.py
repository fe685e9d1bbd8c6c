"""Real servers on loopback for the production proofs: gunicorn, Redis, a throw-away PostgreSQL."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from tests.conftest import REPO_DIR, service_missing

BIN = Path(sys.executable).parent


SCHEMATHESIS_CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = BIN / "st"
SCHEMATHESIS_SEED = 20261201


def run_schemathesis(
    base_url: str, examples: int, timeout_s: float
) -> subprocess.CompletedProcess[str]:
    """Run every schemathesis check against the live server, reproducibly (fixed seed)."""
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(SCHEMATHESIS_CONFIG),
            "run",
            f"{base_url}/openapi.json",
            "--checks",
            "all",
            # A playlist belongs to the session that made it (anyone else gets 404 by design);
            # the stateful phase does not carry that cookie from the POST to the next GET.
            "--exclude-checks",
            "ensure_resource_availability",
            "--seed",
            str(SCHEMATHESIS_SEED),
            "--max-examples",
            str(examples),
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def free_port() -> int:
    """Return a loopback port nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_command(port: int) -> list[str]:
    """The one gunicorn command every proof starts: the Procfile's, on a loopback port."""
    return [
        str(BIN / "gunicorn"),
        *("-c", str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py")),
        *("-b", f"127.0.0.1:{port}", "--graceful-timeout", "5"),
        "musaic.wsgi:app",
    ]


def wait_until(check: Any, timeout_s: float, what: str) -> None:
    """Poll `check()` until it is true, or fail naming `what`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} not ready after {timeout_s} s")


class Gunicorn:
    """`gunicorn musaic.wsgi:app` on a free loopback port, in development mode with `env`."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Redis keys (sessions, limits, the Spotify quota wall) stay apart from other tests';
        # processes of one test share them by passing the same REDIS_KEY_PREFIX in `env`.
        self.env = {
            **os.environ,
            "MUSAIC_ENV": "development",
            "LOG_LEVEL": "WARNING",
            "REDIS_KEY_PREFIX": f"musaic-proof-{uuid.uuid4().hex[:8]}:",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Gunicorn:
        """Start the master and wait until a worker answers /api/health."""
        return self.launch().wait_ready()

    def wait_ready(self) -> Gunicorn:
        """Wait until a worker answers /api/health."""
        wait_until(self.healthy, 90, f"gunicorn on {self.url}")
        return self

    def launch(self) -> Gunicorn:
        """Start the master without waiting (start several at once, then wait_ready)."""
        self.process = subprocess.Popen(
            gunicorn_command(self.port),
            cwd=REPO_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def healthy(self) -> bool:
        """Tell whether a worker answers /api/health."""
        return requests.get(f"{self.url}/api/health", timeout=2).status_code == 200

    def worker_pids(self) -> list[int]:
        """Return the pids of the master's worker processes."""
        assert self.process is not None
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]

    def terminate(self) -> None:
        """Ask for a graceful shutdown (SIGTERM) without waiting."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then hard if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


class RedisServer:
    """A private redis-server on a free port, without persistence."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            service_missing("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        """Start it and wait until it answers PING."""
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            ["redis-server", *args], stdout=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(self._answers, 10, "redis-server")
        return self

    def _answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        """Stop it (SIGTERM) and wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        service_missing(f"{name} is not installed (apt-get install postgresql)")
    return found[-1]


class PostgresCluster:
    """A throw-away PostgreSQL cluster (initdb) on a free port, trust auth, in a temp dir."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="musaic-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
            shutil.chown(self.dir, "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        self._run(_postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_owner, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresCluster:
        """Start the cluster on its port (loopback only) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.dir / "server.log")
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )
        return self

    def stop(self) -> None:
        """Stop it at once (fast shutdown: sessions are cut, open transactions roll back)."""
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop it if running and delete its files."""
        subprocess.run(
            [
                *self._as_owner,
                _postgres_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)
