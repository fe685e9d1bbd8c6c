"""Search ranking: the song title counts as exact, and identical releases show once."""

from __future__ import annotations

from musaic.catalog.search.query import parse_query
from musaic.catalog.search.ranking import Candidate, drop_identical, group_versions, rank


def _candidate(track_id: int, title: str, artist: str, prominence: float) -> Candidate:
    folded = title.lower().replace(" - ", " ")
    return Candidate(
        track_id=track_id,
        title=folded,
        artists=artist.lower(),
        album="",
        prominence=prominence,
        song_key=f"{artist.lower()}|bohemian rhapsody",
        normalised_title=folded,
        release_year=None,
    )


def test_a_remastered_original_outranks_a_less_known_cover_with_the_exact_title() -> None:
    original = _candidate(1, "Bohemian Rhapsody - Remastered 2011", "Queen", 90.0)
    cover = _candidate(2, "Bohemian Rhapsody", "Some Cover Band", 10.0)
    ranked = rank([cover, original], parse_query("bohemian rhapsody"), {})
    assert [c.track_id for c in ranked] == [1, 2]


def test_identical_releases_of_one_recording_show_once() -> None:
    album = _candidate(1, "Bohemian Rhapsody - 2011 Mix", "Queen", 90.0)
    compilation = _candidate(2, "Bohemian Rhapsody - 2011 Mix", "Queen", 50.0)
    live = _candidate(3, "Bohemian Rhapsody - Live Aid", "Queen", 40.0)
    kept = drop_identical(group_versions([album, compilation, live]))
    assert [c.track_id for c in kept] == [1, 3]
