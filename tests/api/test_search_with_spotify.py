"""Search for a logged-in listener merges Spotify's answers over real loopback HTTP."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import func, select

from musaic.extensions import db
from musaic.models import Track
from tests.conftest import log_in


def _a_standin_track(standin: Any) -> Any:
    return next(iter(standin.catalog.tracks.values()))


def test_logged_in_search_adds_spotify_tracks_to_the_catalog(live: Any, standin: Any) -> None:
    browser = log_in(live)
    track = _a_standin_track(standin)
    standin.reset()
    body = browser.get(f"{live.url}/api/search", params={"q": track.name}, timeout=30).json()
    assert body["sources"] == {"catalog": "ok", "spotify": "ok"}
    searches = [r for r in standin.requests if r.path == "/v1/search"]
    assert len(searches) == 1 and int(searches[0].query["limit"]) <= 10
    assert track.spotify_id in [item["spotify_id"] for item in body["items"]]
    with live.server.app.app_context():  # upserted, so it can be a seed from now on
        kept = db.session.scalar(select(Track).where(Track.spotify_id == track.spotify_id))
        assert kept is not None


def test_spotify_rate_limited_never_breaks_local_search(live: Any, standin: Any) -> None:
    browser = log_in(live)
    standin.faults.rate_limited(3600)
    response = browser.get(f"{live.url}/api/search", params={"q": "love"}, timeout=30)
    assert response.status_code == 200
    assert response.json()["sources"] == {"catalog": "ok", "spotify": "rate_limited"}


def test_anonymous_search_never_calls_spotify(live: Any, standin: Any) -> None:
    standin.reset()
    body = requests.get(f"{live.url}/api/search?q=love", timeout=10).json()
    assert body["sources"]["spotify"] == "skipped"
    assert [r for r in standin.requests if r.path.startswith("/v1/")] == []
    with live.server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Track)) == 0
