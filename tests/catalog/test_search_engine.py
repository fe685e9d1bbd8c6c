"""Catalog search end to end on both databases: words, prefixes, typos, filters, versions."""

from __future__ import annotations

from typing import Any

import pytest

from musaic.catalog.search import index_tracks, parse_query, search_catalog
from musaic.extensions import db
from musaic.models import Track
from tests.catalog_world.builder import CatalogBuilder
from tests.catalog_world.search import build_search_catalog, search_record


@pytest.fixture
def catalog(app_context: None) -> dict[tuple[str, str], int]:
    """The hand-written search catalog, indexed."""
    return build_search_catalog()


def _titles(q: str, limit: int = 10, offset: int = 0) -> list[tuple[str, str]]:
    hits = search_catalog(parse_query(q), limit=limit, offset=offset)
    tracks = {t.id: t for t in db.session.query(Track).filter(Track.id.in_(hits.track_ids))}
    return [(tracks[i].title, tracks[i].artists[0].name) for i in hits.track_ids]


@pytest.mark.parametrize(
    "q", ["bohemian rhapsody", "bohemain rapsody", "boh", "Bohemian Rhapsody "]
)
def test_queens_bohemian_rhapsody_is_in_the_first_three(catalog: Any, q: str) -> None:
    assert ("Bohemian Rhapsody", "Queen") in _titles(q)[:3]


def test_exact_title_match_outranks_a_more_popular_prefix_match(catalog: Any) -> None:
    assert _titles("bohemian rhapsody")[0] == ("Bohemian Rhapsody", "Queen")


def test_versions_of_a_song_follow_the_original(catalog: Any) -> None:
    titles = _titles("bohemian rhapsody queen")
    assert titles[:3] == [
        ("Bohemian Rhapsody", "Queen"),
        ("Bohemian Rhapsody - Remastered 2011", "Queen"),
        ("Bohemian Rhapsody - Live Aid", "Queen"),
    ]


def test_artist_and_year_filters_keep_only_that_artists_tracks_of_that_year(catalog: Any) -> None:
    titles = _titles('artist:"Daft Punk" year:2001', limit=50)
    assert sorted(titles) == sorted(
        (t, "Daft Punk")
        for t in (
            "One More Time",
            "Digital Love",
            "Harder, Better, Faster, Stronger",
            "Something About Us",
        )
    )


def test_year_range_filter_combines_with_words(catalog: Any) -> None:
    titles = _titles("daft year:2010-2020", limit=50)
    assert titles
    assert ("One More Time", "Daft Punk") not in titles
    assert ("Starboy", "The Weeknd") in titles


def test_artist_filter_matches_a_featured_credit(catalog: Any) -> None:
    assert ("Starboy", "The Weeknd") in _titles('artist:"daft punk" starboy')


def test_album_words_find_the_albums_tracks(catalog: Any) -> None:
    titles = _titles("random access memories")
    assert ("Instant Crush", "Daft Punk") in titles


def test_accents_and_case_do_not_matter(catalog: Any) -> None:
    assert _titles("SENORITA")[0] == ("Señorita", "Shawn Mendes")
    assert _titles("la boheme")[0] == ("La Bohème", "Charles Aznavour")


def test_a_word_nothing_resembles_finds_nothing(catalog: Any) -> None:
    hits = search_catalog(parse_query("zzzqqqxxx"), limit=10)
    assert (hits.track_ids, hits.total) == ([], 0)


def test_paging_walks_through_every_match_once(catalog: Any) -> None:
    first = search_catalog(parse_query("the"), limit=5, offset=0)
    second = search_catalog(parse_query("the"), limit=5, offset=5)
    assert first.total == second.total > 10
    assert len(first.track_ids) == len(second.track_ids) == 5
    assert not set(first.track_ids) & set(second.track_ids)


def test_index_tracks_makes_a_new_track_findable_and_follows_renames(catalog: Any) -> None:
    b = CatalogBuilder()
    (track_id,) = b.write([search_record("Zanzibar Nights", "Tiny Band", "Zanzibar", 1999)])
    b.commit()
    assert search_catalog(parse_query("zanzibar"), limit=5).track_ids == []
    index_tracks([track_id])
    db.session.commit()
    assert search_catalog(parse_query("zanzibar"), limit=5).track_ids == [track_id]
    track = db.session.get(Track, track_id)
    assert track is not None
    track.title = "Mombasa Mornings"
    index_tracks([track_id])
    db.session.commit()
    assert search_catalog(parse_query("zanzibar nights"), limit=5).track_ids == []
    assert search_catalog(parse_query("mombasa"), limit=5).track_ids == [track_id]


def test_deleting_a_track_removes_it_from_search(catalog: Any) -> None:
    track_id = catalog[("Killer Queen", "Queen")]
    db.session.delete(db.session.get(Track, track_id))
    db.session.commit()
    assert track_id not in search_catalog(parse_query("killer queen"), limit=10).track_ids


def test_a_track_with_very_long_names_is_found_and_ranked_like_any_other(catalog: Any) -> None:
    # Long enough that PostgreSQL keeps its document out of the covering index (not compact).
    words = " ".join(f"movement{i}" for i in range(40))
    b = CatalogBuilder()
    long, short = b.write(
        [
            search_record(
                f"Zanzibar Suite {words}",
                "Orchestra Of The Long Name, "
                + ", ".join(f"Soloist Number {i}" for i in range(12)),
                f"Complete Recordings {words}",
                2001,
                popularity=90,
            ),
            search_record("Zanzibar Sunrise", "Tiny Band", "Zanzibar", 1999, popularity=10),
        ]
    )
    b.commit()
    index_tracks([long, short])
    db.session.commit()
    assert set(search_catalog(parse_query("zanzibar"), limit=5).track_ids) == {long, short}
    assert search_catalog(parse_query("zanzibar suite movement39"), limit=5).track_ids == [long]
    hits = search_catalog(parse_query("soloist number 11"), limit=5)
    assert hits.track_ids == [long]


def test_a_one_letter_prefix_narrows_what_the_other_words_find(catalog: Any) -> None:
    # PostgreSQL tests a short prefix on the documents the other words find, not by index.
    assert _titles("bohemian rhapsody q")[0] == ("Bohemian Rhapsody", "Queen")
    assert _titles("bohemian r")[0] == ("Bohemian Rhapsody", "Queen")
    assert ("Bohemian Rhapsody", "Queen") not in _titles("bohemian rhapsody x")
