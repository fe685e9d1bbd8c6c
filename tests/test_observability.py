"""Prometheus /metrics (and its token), and logs with ids but never a code, state or token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from prometheus_client import REGISTRY

from musaic import create_app
from musaic.metrics import record_generation
from tests.conftest import log_in

PRODUCTION = {
    "SECRET_KEY": "s" * 48,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://musaic@127.0.0.1:1/none",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "SPOTIFY_REDIRECT_URI": "https://musaic.example/api/auth/callback",
}


def test_metrics_in_production_need_the_bearer_token() -> None:
    client = create_app("production", METRICS_TOKEN="m" * 32, **PRODUCTION).test_client()
    client.get("/api/health")
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "metrics_unauthorised"
    right = client.get("/metrics", headers={"Authorization": f"Bearer {'m' * 32}"})
    assert right.status_code == 200
    body = right.get_data(as_text=True)
    assert 'musaic_request_duration_seconds_bucket{endpoint="health.get_health"' in body


def test_metrics_are_off_in_production_without_a_token() -> None:
    client = create_app("production", **PRODUCTION).test_client()
    assert client.get("/metrics").status_code == 404


def test_generation_stage_timings_are_observed() -> None:
    labels = {"stage": "match"}
    before = REGISTRY.get_sample_value("musaic_generation_stage_seconds_count", labels) or 0
    record_generation("total;dur=12.5, resolve;dur=1.0, match;dur=10.0, postprocess;dur=1.5")
    after = REGISTRY.get_sample_value("musaic_generation_stage_seconds_count", labels)
    assert after == before + 1
    assert REGISTRY.get_sample_value(
        "musaic_generation_stage_seconds_count", {"stage": "total"}
    ) in (
        None,
        0,
    )


def test_spotify_calls_are_counted_by_endpoint_and_status(live: Any, standin: Any) -> None:
    labels = {"endpoint": "/me", "method": "GET", "status": "200"}
    before = REGISTRY.get_sample_value("musaic_spotify_calls_total", labels) or 0
    browser = log_in(live)
    assert browser.get(f"{live.url}/api/me", timeout=10).status_code == 200
    assert REGISTRY.get_sample_value("musaic_spotify_calls_total", labels) == before + 1


def test_login_is_logged_as_a_security_event_without_code_or_state(
    live: Any, standin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    browser = log_in(live)
    browser.post(f"{live.url}/api/auth/logout", timeout=10)
    logs = capsys.readouterr().err
    assert '"security_event": "login"' in logs
    assert '"security_event": "logout"' in logs
    assert "code=" not in logs and "state=" not in logs
    assert '"user_id": 1' in logs  # request lines carry the user once logged in


def test_a_bad_state_is_a_security_event_and_its_values_stay_out_of_the_logs(
    live: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import requests

    url = f"{live.url}/api/auth/callback"
    params = {"code": "c0de-secret-42", "state": "st4te-secret-42"}
    assert requests.get(url, params=params, timeout=10).status_code == 400
    logs = capsys.readouterr().err
    assert '"security_event": "bad_state"' in logs
    assert "c0de-secret-42" not in logs and "st4te-secret-42" not in logs


def test_csrf_refusals_are_logged_and_counted(
    app: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = REGISTRY.get_sample_value("musaic_csrf_refused_total") or 0
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "x")
    client.post("/api/auth/logout", headers={"Origin": "https://evil.example"})
    assert '"security_event": "csrf_refused"' in capsys.readouterr().err
    assert REGISTRY.get_sample_value("musaic_csrf_refused_total") == before + 1


def test_a_failed_refresh_is_a_security_event(
    live: Any, standin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from musaic.extensions import db
    from musaic.models import SpotifyToken

    browser = log_in(live)
    standin.accounts._refresh.clear()  # every refresh token revoked
    with live.server.app.app_context():
        expired = datetime.now(UTC) - timedelta(seconds=5)
        db.session.execute(update(SpotifyToken).values(expires_at=expired))
        db.session.commit()
    capsys.readouterr()
    assert browser.get(f"{live.url}/api/me", timeout=10).status_code == 401
    logs = capsys.readouterr().err
    assert '"security_event": "refresh_failed"' in logs
    assert '"previous_user_id": 1' in logs
