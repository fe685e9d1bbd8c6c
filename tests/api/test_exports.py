"""Save to Spotify over loopback HTTP: log in, generate, export, edit, export again."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import requests

from musaic.extensions import db
from musaic.services.tracks import write_spotify_records
from tests.catalog_world.standin import standin_records
from tests.conftest import log_in
from tests.spotify.openapi_contract import operation_for
from tests.spotify_standin.faults import Fault

ITEMS = r"/v1/playlists/[^/]+/items"


def _generate(live: Any, standin: Any, browser: requests.Session, length: int = 10) -> Any:
    """Copy the stand-in's busiest artist into the catalog and generate from one of its tracks."""
    artist_id, _ = Counter(t.artist_id for t in standin.catalog.tracks.values()).most_common(1)[0]
    with live.server.app.app_context():
        ids = write_spotify_records(standin_records(standin, 60, artist_id=artist_id))
        db.session.commit()
    body = {"seed": ids[0], "length": length, "options": {"max_per_artist": 10}}
    response = browser.post(f"{live.url}/api/playlists", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def _order(playlist: dict[str, Any]) -> list[str]:
    return [f"spotify:track:{item['track']['spotify_id']}" for item in playlist["items"]]


def _export(live: Any, browser: requests.Session, playlist_id: int, **body: Any) -> Any:
    url = f"{live.url}/api/playlists/{playlist_id}/export"
    return browser.post(url, json=body or None, timeout=30)  # no body: every default


def test_export_edit_and_export_again_keeps_one_spotify_playlist(live: Any, standin: Any) -> None:
    browser = log_in(live)
    playlist = _generate(live, standin, browser)
    standin.reset_log()
    first = _export(live, browser, playlist["id"])
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["created"] is True and body["unresolved"] == []
    assert body["written"] == len(playlist["items"]) and body["spotify_calls"] == 2
    stored = standin.web_api.owned_by("acc-ada")
    assert len(stored) == 1 and stored[0].items == _order(playlist)
    assert body["spotify_playlist"]["id"] == stored[0].spotify_id
    assert body["spotify_playlist"]["url"].endswith(f"/playlist/{stored[0].spotify_id}")
    shown = browser.get(f"{live.url}/api/playlists/{playlist['id']}", timeout=10).json()
    assert shown["spotify_playlist"]["id"] == stored[0].spotify_id and shown["exported_at"]

    count = len(playlist["items"])
    patch = {
        "remove_track_ids": [playlist["items"][1]["track"]["id"]],
        "order": [*range(count - 2, -1, -1)],
    }
    edited = browser.patch(f"{live.url}/api/playlists/{playlist['id']}", json=patch, timeout=10)
    assert edited.status_code == 200, edited.text
    again = _export(live, browser, playlist["id"])
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["spotify_calls"] == 1
    stored = standin.web_api.owned_by("acc-ada")
    assert len(stored) == 1 and stored[0].items == _order(edited.json())
    for recorded in standin.requests:
        operation = operation_for(recorded.method, recorded.path)
        assert operation is not None and not operation.deprecated, recorded.path


def test_export_needs_login_and_is_404_for_another_listeners_playlist(
    live: Any, standin: Any
) -> None:
    browser = log_in(live)
    playlist = _generate(live, standin, browser)
    anonymous = requests.post(f"{live.url}/api/playlists/{playlist['id']}/export", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "login_required"
    standin.accounts.consent_account_id = standin.users[1].account_id
    try:
        other = log_in(live)
    finally:
        standin.accounts.consent_account_id = standin.users[0].account_id
    assert _export(live, other, playlist["id"]).status_code == 404
    too_long = _export(live, browser, playlist["id"], name="x" * 101)
    assert too_long.status_code == 400
    assert too_long.json()["error"]["details"]["field"] == "name"
    assert standin.web_api.playlists == {}


def test_concurrent_exports_make_one_playlist_and_the_loser_gets_409(
    live: Any, standin: Any
) -> None:
    browser = log_in(live)
    playlist = _generate(live, standin, browser)
    standin.faults.on("POST", "/v1/me/playlists", Fault(delay=0.8))
    answers: list[requests.Response] = []
    threads = [
        threading.Thread(target=lambda: answers.append(_export(live, browser, playlist["id"])))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["error"]["code"] == "export_in_progress"
    assert int(loser.headers["Retry-After"]) >= 1
    assert len(standin.web_api.owned_by("acc-ada")) == 1


def test_quota_exceeded_on_the_items_write_is_503_then_a_later_export_finishes(
    live: Any, standin: Any
) -> None:
    browser = log_in(live)
    playlist = _generate(live, standin, browser)
    standin.faults.on("PUT", ITEMS, Fault.quota(retry_after=1))
    failed = _export(live, browser, playlist["id"])
    assert failed.status_code == 503
    assert failed.json()["error"]["code"] == "spotify_quota_exceeded"
    assert failed.headers["Retry-After"] == "1"
    time.sleep(1.2)  # every process keeps off Spotify until the quota wall's Retry-After ends
    later = _export(live, browser, playlist["id"])
    assert later.status_code == 201 and later.json()["spotify_calls"] == 1
    stored = standin.web_api.owned_by("acc-ada")
    assert len(stored) == 1 and stored[0].items == _order(playlist)


def test_a_revoked_grant_is_401_spotify_reauth_required(live: Any, standin: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from musaic.models import SpotifyToken

    browser = log_in(live)
    playlist = _generate(live, standin, browser)
    with live.server.app.app_context():
        db.session.execute(
            update(SpotifyToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=5))
        )
        db.session.commit()
    for token in list(standin.accounts._refresh):
        standin.accounts.revoke_refresh_token(token)
    answer = _export(live, browser, playlist["id"])
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "spotify_reauth_required"
