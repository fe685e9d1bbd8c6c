"""GET /api/tracks/{id}: every accepted id form, and 400/404 for the rest."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from musaic.extensions import db
from musaic.models import Track
from tests.catalog_world.search import build_search_catalog


@pytest.fixture
def queen(app: Any) -> tuple[int, str]:
    """Index a small catalog; return the id and Spotify id of Queen's Bohemian Rhapsody."""
    with app.app_context():
        track_id = build_search_catalog(fillers=0)[("Bohemian Rhapsody", "Queen")]
        spotify_id = db.session.get(Track, track_id).spotify_id  # type: ignore[union-attr]
        return track_id, str(spotify_id)


def _forms(track_id: int, spotify_id: str) -> list[str]:
    return [
        str(track_id),
        spotify_id,
        f"spotify:track:{spotify_id}",
        quote(f"https://open.spotify.com/track/{spotify_id}?si=abc", safe=""),
        f"https://open.spotify.com/intl-de/track/{spotify_id}",
    ]


def test_every_id_form_finds_the_same_track(client: FlaskClient, queen: tuple[int, str]) -> None:
    for form in _forms(*queen):
        response = client.get(f"/api/tracks/{form}")
        assert response.status_code == 200, form
        body = response.get_json()
        assert (body["id"], body["title"], body["spotify_id"]) == (
            queen[0],
            "Bohemian Rhapsody",
            queen[1],
        )
        assert body["artists"][0]["name"] == "Queen"


@pytest.mark.parametrize(
    "ref",
    ["not-an-id", "spotify:album:4u7EnebtmKWzUH433cf5Qv", "https://example.com/track/x", "12ab"],
)
def test_an_unreadable_id_is_a_400_naming_the_id(client: FlaskClient, ref: str) -> None:
    response = client.get(f"/api/tracks/{quote(ref, safe='')}")
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "id"


@pytest.mark.parametrize("ref", ["999999", "0000000000000000000000", "spotify:track:" + "Z" * 22])
def test_an_unknown_track_is_a_404(client: FlaskClient, queen: Any, ref: str) -> None:
    response = client.get(f"/api/tracks/{ref}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
