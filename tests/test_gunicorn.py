"""The Procfile's web process for real: gunicorn with the repository's config file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import REPO_DIR
from tests.throwaway_redis import free_port


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited during start-up"
        try:
            requests.get(f"{url}/api/health", timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer within 30 s")


def test_procfile_web_command_serves_and_shuts_down_gracefully(
    sqlite_url: str, tmp_path: Path
) -> None:
    procfile = (REPO_DIR / "Procfile").read_text()
    assert "web: gunicorn -c gunicorn.conf.py musaic.wsgi:app" in procfile
    assert "release: musaic db upgrade" in procfile
    env_file = tmp_path / ".env"
    env_file.write_text("METRICS_TOKEN=from-the-dotenv-file\n")  # gunicorn reads .env too
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "MUSAIC_ENV": "development",
        "MUSAIC_ENV_FILE": str(env_file),
        "DATABASE_URL": sqlite_url,
        "SESSION_DIR": str(tmp_path / "sessions"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "musaic.wsgi:app"]
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process)
            for _ in range(6):  # spread over both workers
                health = requests.get(f"{url}/api/health?code=c0de-in-url", timeout=5)
                assert health.status_code == 200
            assert health.headers["X-Content-Type-Options"] == "nosniff"
            assert requests.get(f"{url}/metrics", timeout=5).status_code == 401
            auth = {"Authorization": "Bearer from-the-dotenv-file"}
            metrics = requests.get(f"{url}/metrics", headers=auth, timeout=5).text
            assert _health_count(metrics) >= 6  # summed over the workers
        finally:
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(timeout=40)
    assert exit_code == 0
    logs = log_path.read_text()
    assert "gthread" in logs
    assert "/api/health" in logs and "c0de-in-url" not in logs


def _health_count(metrics: str) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith("musaic_request_duration_seconds_count") and "health.get_health" in line:
            total += float(line.rsplit(" ", 1)[1])
    return total
