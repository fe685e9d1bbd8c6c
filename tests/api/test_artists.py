"""GET /api/artists/{id}: the artist with its catalog tracks and tags; 404 for unknown ids."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from musaic.extensions import db
from musaic.models import Track
from tests.catalog_world.builder import CatalogBuilder
from tests.catalog_world.search import build_search_catalog


@pytest.fixture
def daft_punk_id(app: Any) -> int:
    """Index a small catalog, tag Daft Punk, and return Daft Punk's artist id."""
    with app.app_context():
        ids = build_search_catalog(fillers=0)
        artist = db.session.get(Track, ids[("One More Time", "Daft Punk")]).artists[0]  # type: ignore[union-attr]
        b = CatalogBuilder()
        b.tag_artist(artist.id, {"french house": 2.0, "electronic": 1.0})
        b.commit()
        return artist.id


def test_artist_lists_its_tracks_most_popular_first_and_its_tags(
    client: FlaskClient, daft_punk_id: int
) -> None:
    response = client.get(f"/api/artists/{daft_punk_id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Daft Punk"
    assert [t["name"] for t in body["tags"]] == ["french house", "electronic"]
    titles = [t["title"] for t in body["tracks"]]
    assert titles[0] == "Starboy"  # credited second, still the artist's most popular track
    assert len(titles) == 9
    assert "Daft Punk Is Playing at My House" not in titles


@pytest.mark.parametrize(("ref", "status"), [("999999", 404), ("0", 400), ("abc", 404)])
def test_unknown_or_invalid_artist_ids_are_errors_with_the_envelope(
    client: FlaskClient, ref: str, status: int
) -> None:
    response = client.get(f"/api/artists/{ref}")
    assert response.status_code == status
    assert "error" in response.get_json()
