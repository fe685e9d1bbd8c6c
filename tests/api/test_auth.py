"""Login with Spotify end to end over loopback HTTP, and every way it can fail."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select, update

from musaic.extensions import db
from musaic.models import SpotifyToken, User
from tests.conftest import log_in, spotify_settings


def _stored_tokens(live: Any) -> SpotifyToken:
    with live.server.app.app_context():
        row = db.session.scalars(select(SpotifyToken)).one()
        db.session.expunge(row)
        return row


def _force_expiry(live: Any) -> None:
    from datetime import UTC, datetime, timedelta

    with live.server.app.app_context():
        db.session.execute(
            update(SpotifyToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=5))
        )
        db.session.commit()


def test_full_login_refresh_logout_flow(live: Any, standin: Any) -> None:
    standin.accounts.rotate_refresh_tokens = True
    browser = log_in(live)
    status = browser.get(f"{live.url}/api/auth/status", timeout=10).json()
    assert status["logged_in"] is True
    assert status["user"]["display_name"] == standin.accounts.user().display_name
    assert browser.get(f"{live.url}/api/me", timeout=10).status_code == 200

    before = _stored_tokens(live)
    standin.accounts.expire_access_tokens()
    _force_expiry(live)
    me = browser.get(f"{live.url}/api/me", timeout=10)
    assert me.status_code == 200
    after = _stored_tokens(live)
    assert after.refresh_token_encrypted != before.refresh_token_encrypted
    assert after.version > before.version
    grants = [r for r in standin.requests if r.path == "/api/token"]
    assert [parse_qs(r.body.decode())["grant_type"][0] for r in grants] == [
        "authorization_code",
        "refresh_token",
    ]

    out = browser.post(f"{live.url}/api/auth/logout", timeout=10).json()
    assert out["logged_in"] is False
    assert browser.get(f"{live.url}/api/auth/status", timeout=10).json()["logged_in"] is False
    with live.server.app.app_context():
        assert db.session.scalars(select(SpotifyToken)).all() == []


def test_login_redirect_carries_pkce_state_scopes_and_exact_redirect_uri(live: Any) -> None:
    response = requests.get(f"{live.url}/api/auth/login", allow_redirects=False, timeout=10)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [f"{live.url}/api/auth/callback"]
    assert set(query["scope"][0].split()) == {
        "playlist-modify-private",
        "playlist-modify-public",
        "user-top-read",
        "user-read-recently-played",
    }
    assert len(query["state"][0]) >= 32


def test_session_id_rotates_at_login(live: Any) -> None:
    browser = requests.Session()
    browser.get(f"{live.url}/api/auth/login", allow_redirects=False, timeout=10)
    before = browser.cookies.get("musaic_session")
    browser.get(f"{live.url}/api/auth/login", timeout=10)  # the whole dance this time
    after = browser.cookies.get("musaic_session")
    assert before and after and before != after


@pytest.mark.parametrize("state", [None, "forged-state"])
def test_callback_rejects_missing_or_wrong_state(live: Any, state: str | None) -> None:
    browser = requests.Session()
    browser.get(f"{live.url}/api/auth/login", allow_redirects=False, timeout=10)
    params = {"code": "whatever"} | ({"state": state} if state else {})
    response = browser.get(f"{live.url}/api/auth/callback", params=params, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_state"
    assert browser.get(f"{live.url}/api/auth/status", timeout=10).json()["logged_in"] is False


def test_callback_rejects_a_reused_state(live: Any, standin: Any) -> None:
    browser = requests.Session()
    first = browser.get(f"{live.url}/api/auth/login", allow_redirects=False, timeout=10)
    consent = requests.get(first.headers["Location"], allow_redirects=False, timeout=10)
    callback_url = consent.headers["Location"]
    assert browser.get(callback_url, allow_redirects=False, timeout=10).status_code == 302
    replay = browser.get(callback_url, allow_redirects=False, timeout=10)
    assert replay.status_code == 400
    assert replay.json()["error"]["code"] == "invalid_state"


def test_callback_rejects_an_expired_state(app: Any, standin: Any) -> None:
    app.config.update(spotify_settings(standin, "http://127.0.0.1:5000/api/auth/callback"))
    client = app.test_client()
    login = client.get("/api/auth/login")
    state = parse_qs(urlsplit(login.headers["Location"]).query)["state"][0]
    with client.session_transaction() as session:
        pending = session["pending_login"]
        session["pending_login"] = {**pending, "created": pending["created"] - 601}
    response = client.get("/api/auth/callback", query_string={"state": state, "code": "c"})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["reason"] == "expired"


def test_access_denied_is_a_clear_400(live: Any, standin: Any) -> None:
    standin.accounts.deny_consent = True
    browser = requests.Session()
    response = browser.get(f"{live.url}/api/auth/login", timeout=10)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "spotify_access_denied"
    assert "not given access" in error["message"]


@pytest.mark.parametrize("target", ["https://evil.example/steal", "//evil.example/x"])
def test_next_never_redirects_off_site(live: Any, target: str) -> None:
    browser = requests.Session()
    first = browser.get(
        f"{live.url}/api/auth/login", params={"next": target}, allow_redirects=False, timeout=10
    )
    consent = requests.get(first.headers["Location"], allow_redirects=False, timeout=10)
    done = browser.get(consent.headers["Location"], allow_redirects=False, timeout=10)
    assert done.status_code == 302
    assert done.headers["Location"] in ("/", f"{live.url}/")


def test_invalid_grant_logs_the_listener_out(live: Any, standin: Any) -> None:
    browser = log_in(live)
    standin.accounts._refresh.clear()  # every refresh token revoked (6-month expiry)
    standin.accounts.expire_access_tokens()
    _force_expiry(live)
    response = browser.get(f"{live.url}/api/me", timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "spotify_reauth_required"
    assert browser.get(f"{live.url}/api/auth/status", timeout=10).json()["logged_in"] is False


def test_a_401_from_spotify_triggers_one_refresh_and_one_retry(live: Any, standin: Any) -> None:
    browser = log_in(live)
    standin.accounts.expire_access_tokens()  # Spotify says expired though our clock does not
    standin.reset()
    assert browser.get(f"{live.url}/api/me", timeout=10).status_code == 200
    paths = [r.path for r in standin.requests]
    assert paths == ["/v1/me", "/api/token", "/v1/me"]


@pytest.mark.parametrize(
    "fault, status, code",
    [
        ({"status": 429, "retry_after": 3600}, 503, "spotify_rate_limited"),
        (
            {
                "status": 429,
                "retry_after": 7200,
                "body": {"error": {"status": 429, "message": "quota", "reason": "QUOTA_EXCEEDED"}},
            },
            503,
            "spotify_quota_exceeded",
        ),
        ({"status": 503, "times": 5}, 503, "spotify_unavailable"),
    ],
)
def test_spotify_failures_become_documented_errors(
    live: Any, standin: Any, fault: dict[str, Any], status: int, code: str
) -> None:
    browser = log_in(live)
    standin.faults.queue(**fault)
    response = browser.get(f"{live.url}/api/me", timeout=30)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    if code != "spotify_unavailable":
        assert int(response.headers["Retry-After"]) >= 3600


def test_short_429_and_a_5xx_are_retried_transparently(live: Any, standin: Any) -> None:
    browser = log_in(live)
    standin.faults.queue(status=429, retry_after=1)
    standin.faults.queue(status=502)
    assert browser.get(f"{live.url}/api/me", timeout=30).status_code == 200


def test_concurrent_refreshes_happen_once_and_keep_the_rotated_token(
    live: Any, standin: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from musaic.services.spotify_access import make_oauth, make_vault
    from musaic.services.tokens import access_token
    from musaic.spotify.factory import SpotifyFactory, SpotifySettings

    log_in(live)
    standin.accounts.rotate_refresh_tokens = True
    _force_expiry(live)
    standin.reset()
    standin.accounts.rotate_refresh_tokens = True
    app = live.server.app
    oauth = make_oauth(SpotifyFactory(SpotifySettings.from_config(app.config)))
    with app.app_context():
        user_id = db.session.scalars(select(User.id)).one()

    def refresh() -> str:
        with app.app_context():
            return access_token(make_vault(app.config), oauth, user_id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(pool.map(lambda _: refresh(), range(4)))
    assert len(set(tokens)) == 1
    assert [r.path for r in standin.requests].count("/api/token") == 1
    _force_expiry(live)
    with app.app_context():  # the rotated refresh token was kept and still works
        assert access_token(make_vault(app.config), oauth, user_id) != tokens[0]


def test_tokens_are_ciphertext_at_rest_and_never_leak(live: Any, standin: Any, capfd: Any) -> None:
    browser = log_in(live)
    bodies = [
        browser.get(f"{live.url}{p}", timeout=10).text for p in ("/api/me", "/api/auth/status")
    ]
    secrets_seen = set(standin.accounts._access) | set(standin.accounts._refresh)
    assert secrets_seen
    with live.server.app.app_context():
        raw = db.session.execute(
            select(SpotifyToken.access_token_encrypted, SpotifyToken.refresh_token_encrypted)
        ).one()
    logs = capfd.readouterr().err
    cookies = json.dumps(browser.cookies.get_dict())
    for secret in secrets_seen:
        assert secret not in "".join(raw)
        assert secret not in logs
        assert secret not in cookies
        assert all(secret not in body for body in bodies)
    calls = [json.loads(line) for line in logs.splitlines() if '"spotify call"' in line]
    assert {"spotify_endpoint": "/me", "spotify_method": "GET", "spotify_status": 200}.items() <= (
        calls[0].items()
    )
    request_lines = [json.loads(line) for line in logs.splitlines() if '"request"' in line]
    assert any(line["path"] == "/api/me" and line["spotify_calls"] == 1 for line in request_lines)


def test_login_without_spotify_configured_is_a_clear_503(client: Any) -> None:
    response = client.get("/api/auth/login")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "spotify_not_configured"


def test_me_requires_login(client: Any) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_logged_in"


def test_a_spotify_timeout_is_a_503_spotify_unavailable(live: Any, standin: Any) -> None:
    from dataclasses import replace

    from musaic.spotify.factory import SpotifyFactory, SpotifySettings

    browser = log_in(live)
    app = live.server.app
    impatient = replace(SpotifySettings.from_config(app.config), read_timeout=0.3, max_retries=1)
    app.extensions["musaic.spotify_factory"] = SpotifyFactory(impatient, sleep=lambda _: None)
    standin.faults.slow(2.0, times=2)
    response = browser.get(f"{live.url}/api/me", timeout=30)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "spotify_unavailable"
