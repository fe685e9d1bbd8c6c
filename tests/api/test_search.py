"""GET /api/search over HTTP on both databases: results contract, filters, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.catalog_world.search import build_search_catalog


@pytest.fixture
def catalog(app: Any) -> dict[tuple[str, str], int]:
    """The hand-written search catalog, indexed."""
    with app.app_context():
        return build_search_catalog(fillers=60)


def _search(client: FlaskClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("q", ["bohemian rhapsody", "bohemain rapsody", "boh"])
def test_search_puts_queens_bohemian_rhapsody_in_the_first_three(
    client: FlaskClient, catalog: Any, q: str
) -> None:
    items = _search(client, q=q)["items"][:3]
    assert any(
        i["title"] == "Bohemian Rhapsody" and i["artists"][0]["name"] == "Queen" for i in items
    )


def test_search_returns_the_list_envelope_with_track_details_and_sources(
    client: FlaskClient, catalog: Any
) -> None:
    body = _search(client, q="under pressure", limit=5)
    assert (body["limit"], body["offset"], body["total"]) == (5, 0, 1)
    assert body["sources"] == {"catalog": "ok", "spotify": "skipped"}
    track = body["items"][0]
    assert [a["name"] for a in track["artists"]] == ["Queen", "David Bowie"]
    assert track["album"]["name"] == "Hot Space"
    assert (track["year"], track["duration_ms"], track["explicit"]) == (1982, 210_000, False)
    assert track["spotify_url"] == f"https://open.spotify.com/track/{track['spotify_id']}"


def test_artist_and_year_filter_returns_only_daft_punk_tracks_from_2001(
    client: FlaskClient, catalog: Any
) -> None:
    body = _search(client, q='artist:"Daft Punk" year:2001', limit=50)
    assert body["total"] == 4
    for item in body["items"]:
        assert "Daft Punk" in [a["name"] for a in item["artists"]]
        assert item["year"] == 2001


def test_limit_and_offset_page_through_results(client: FlaskClient, catalog: Any) -> None:
    first = _search(client, q="queen", limit=2)
    second = _search(client, q="queen", limit=2, offset=2)
    assert len(first["items"]) == len(second["items"]) == 2
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "queen", "limit": 0}, "limit"),
        ({"q": "queen", "limit": 51}, "limit"),
        ({"q": "queen", "offset": -1}, "offset"),
        ({"q": "queen", "limit": "many"}, "limit"),
        ({"q": "queen year:nineties"}, "q"),
        ({}, "q"),
    ],
)
def test_bad_search_input_is_a_400_naming_the_field(
    client: FlaskClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in (error["details"].get("field"), *map(str, error["details"].values()))
