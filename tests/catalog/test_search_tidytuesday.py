"""Search over a real TidyTuesday subset (skipped when the shared data is absent)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.search_load import TIDYTUESDAY, load_tidytuesday
from musaic.catalog.search import parse_query, rebuild_index, search_catalog
from musaic.extensions import db
from musaic.models import Track
from tests.conftest import SHARED_DATA_DIR

ARTISTS = {"Queen", "Daft Punk", "Panic! At The Disco", "The Dandy Warhols", "Smile"}


def _subset(row: dict[str, str]) -> bool:
    """Keep every row of a few artists, every "Boh…"/"Rhapsody" title, and ~1 row in 12."""
    title = row["track_name"].lower()
    return (
        row["track_artist"] in ARTISTS
        or title.startswith("boh")
        or "rhapsody" in title
        or int(row["track_id"].encode().hex(), 16) % 12 == 0
    )


@pytest.fixture
def tidytuesday(app_context: None) -> None:
    """Load the TidyTuesday subset and index it."""
    if not (SHARED_DATA_DIR / TIDYTUESDAY).is_file():
        pytest.skip(f"TidyTuesday data is not at {SHARED_DATA_DIR / TIDYTUESDAY}")
    load_tidytuesday(SHARED_DATA_DIR, keep=_subset)
    rebuild_index()
    db.session.commit()


def _top(q: str, n: int) -> list[Track]:
    ids = search_catalog(parse_query(q), limit=n).track_ids
    return [t for i in ids if (t := db.session.get(Track, i)) is not None]


@pytest.mark.parametrize("q", ["bohemian rhapsody", "bohemain rapsody", "boh"])
def test_queens_bohemian_rhapsody_is_in_the_first_three_on_real_data(
    tidytuesday: Any, q: str
) -> None:
    top = _top(q, 3)
    assert any(
        t.title.startswith("Bohemian Rhapsody") and t.artists[0].name == "Queen" for t in top
    )


def test_daft_punk_2001_filter_on_real_data(tidytuesday: Any) -> None:
    tracks = _top('artist:"Daft Punk" year:2001', 50)
    assert tracks
    assert all("Daft Punk" in [a.name for a in t.artists] for t in tracks)
    assert all(t.release_year == 2001 for t in tracks)
