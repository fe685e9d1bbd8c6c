"""Typo tolerance as people mistype, on both databases, over the hand-written catalog."""

from __future__ import annotations

from typing import Any

import pytest

from musaic.catalog.search import parse_query, search_catalog
from musaic.extensions import db
from musaic.models import Track
from tests.catalog_world.search import build_search_catalog


@pytest.fixture
def catalog(app_context: None) -> dict[tuple[str, str], int]:
    """The hand-written search catalog, indexed."""
    return build_search_catalog()


def _top3(q: str) -> list[tuple[str, str]]:
    ids = search_catalog(parse_query(q), limit=3).track_ids
    tracks = [db.session.get(Track, i) for i in ids]
    return [(t.title, t.artists[0].name) for t in tracks if t is not None]


@pytest.mark.parametrize(
    ("q", "song"),
    [
        ("tke on me", ("Take On Me", "a-ha")),  # a letter dropped from a 4-letter word
        ("one mroe time daft", ("One More Time", "Daft Punk")),  # swapped in a 4-letter word
        ("hey jdue", ("Hey Jude", "The Beatles")),
        ("purple raain", ("Purple Rain", "Prince")),  # doubled
        ("dancing qeen", ("Dancing Queen", "ABBA")),
        ("underpressure", ("Under Pressure", "Queen")),  # a space left out
        ("hotel califor nia", ("Hotel California", "Eagles")),  # a space too many
        ("dont stop me now", ("Don't Stop Me Now", "Queen")),  # apostrophe left out
        ("DON\u2019T STOP ME NOW", ("Don't Stop Me Now", "Queen")),  # curly apostrophe, capitals
        ("get lucky ft. pharrell", ("Get Lucky (feat. Pharrell Williams)", "Daft Punk")),
        ("senorita", ("Señorita", "Shawn Mendes")),
    ],
)
def test_a_mistyped_query_still_finds_the_song(catalog: Any, q: str, song: tuple[str, str]) -> None:
    assert song in _top3(q)


def test_a_complete_corrected_match_outranks_a_partial_literal_one(catalog: Any) -> None:
    # "rian" is a prefix of nothing in the catalog; "rain" completes the title.
    assert _top3("purple rian")[0] == ("Purple Rain", "Prince")


def test_the_artist_filter_forgives_a_typo(catalog: Any) -> None:
    titles = _top3('artist:"daft pnuk" one more')
    assert titles and titles[0] == ("One More Time", "Daft Punk")
    assert all(artist == "Daft Punk" for _, artist in titles)


def test_an_unknown_artist_in_the_filter_still_finds_nothing(catalog: Any) -> None:
    assert _top3('artist:"zzqx qqzz" one more') == []
