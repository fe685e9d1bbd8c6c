"""GET /api/me/tracks: a listener's recently played and top tracks, upserted to be seeds."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from musaic.extensions import db
from musaic.models import Track
from tests.conftest import log_in


def test_logged_out_listener_gets_401(live: Any) -> None:
    response = requests.get(f"{live.url}/api/me/tracks", timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_logged_in"


@pytest.mark.parametrize(
    ("source", "spotify_path"),
    [("recent", "/v1/me/player/recently-played"), ("top", "/v1/me/top/tracks")],
)
def test_tracks_come_from_one_spotify_call_and_become_catalog_seeds(
    live: Any, standin: Any, source: str, spotify_path: str
) -> None:
    browser = log_in(live)
    standin.reset()
    response = browser.get(f"{live.url}/api/me/tracks", params={"source": source, "limit": 7})
    assert response.status_code == 200, response.text
    body = response.json()
    user = standin.accounts.user()
    expected = [t.spotify_id for t in standin.web_api.listening_of(user)[:7]]
    assert [item["spotify_id"] for item in body["items"]] == expected
    assert body["source"] == source and body["total"] == 7
    calls = [r for r in standin.requests if r.path.startswith("/v1/")]
    assert [(r.path, r.query["limit"]) for r in calls] == [(spotify_path, "7")]
    with live.server.app.app_context():
        kept = db.session.scalars(select(Track.spotify_id).where(Track.spotify_id.in_(expected)))
        assert sorted(kept) == sorted(expected)
    seed = body["items"][0]["id"]  # a catalog id now: generating needs no Spotify lookup
    assert browser.get(f"{live.url}/api/tracks/{seed}").json()["spotify_id"] == expected[0]


def test_asking_twice_adds_no_duplicate_tracks(live: Any, standin: Any) -> None:
    browser = log_in(live)
    first = browser.get(f"{live.url}/api/me/tracks", params={"source": "top"}).json()
    again = browser.get(f"{live.url}/api/me/tracks", params={"source": "top"}).json()
    assert [t["id"] for t in first["items"]] == [t["id"] for t in again["items"]]
    with live.server.app.app_context():
        assert len(db.session.scalars(select(Track.id)).all()) == len(first["items"])


@pytest.mark.parametrize(
    ("params", "field"), [({"source": "saved"}, "source"), ({"limit": 51}, "limit")]
)
def test_bad_parameters_are_a_400_naming_the_field(
    live: Any, params: dict[str, Any], field: str
) -> None:
    browser = log_in(live)
    response = browser.get(f"{live.url}/api/me/tracks", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


def test_spotify_rate_limit_is_a_503_with_the_wait(live: Any, standin: Any) -> None:
    browser = log_in(live)
    standin.faults.rate_limited(90)
    response = browser.get(f"{live.url}/api/me/tracks", params={"source": "recent"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "90"
    assert response.json()["error"]["code"] == "spotify_rate_limited"
