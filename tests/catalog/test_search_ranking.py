"""Search ranking: the song title counts as exact, and identical releases show once."""

from __future__ import annotations

from musaic.catalog.search.query import parse_query
from musaic.catalog.search.ranking import Candidate, drop_identical, group_versions, rank


def _song(track_id: int, title: str, artist: str, prominence: float, song: str = "") -> Candidate:
    """A candidate as the index stores it; `song` is its song title when not the folded title."""
    folded, name = title.lower().replace(" - ", " "), artist.lower()
    return Candidate(
        track_id=track_id,
        title=folded,
        artists=name,
        album="",
        prominence=prominence,
        song_key=f"{name}|{song or folded}",
        normalised_title=folded,
        release_year=None,
    )


def _candidate(track_id: int, title: str, artist: str, prominence: float) -> Candidate:
    return _song(track_id, title, artist, prominence, song="bohemian rhapsody")


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


def test_an_artist_named_like_the_song_does_not_outrank_the_song_people_mean() -> None:
    # The same two words spell this no-name track's title and its artist: one name, not two.
    queen = _candidate(1, "Bohemian Rhapsody - 2011 Mix", "Queen", 84.0)
    namesake = _candidate(2, "Bohemian Rhapsody", "Bohemian Rhapsody", 0.0)
    for typed in ("bohemian rhapsody", "bohemain rapsody"):
        typos = {"bohemain": ["bohemian"], "rapsody": ["rhapsody"]}
        ranked = rank([namesake, queen], parse_query(typed), typos)
        assert [c.track_id for c in ranked] == [1, 2], typed


def test_title_and_artist_words_both_earn_their_bonus() -> None:
    # "bohemian rhapsody queen": the title words and the artist word are different words.
    queen = _candidate(1, "Bohemian Rhapsody - 2011 Mix", "Queen", 10.0)
    cover = _candidate(2, "Bohemian Rhapsody", "Some Cover Band", 90.0)
    namesake = _candidate(3, "Bohemian Rhapsody", "Bohemian Rhapsody", 95.0)
    ranked = rank([cover, namesake, queen], parse_query("bohemian rhapsody queen"), {})
    assert ranked[0].track_id == 1


def test_an_artists_whole_name_ranks_like_a_whole_title_and_prominence_decides() -> None:
    hit = _song(1, "When Doves Cry", "Prince", 80.0)
    begins_alike = _song(2, "Princess", "Someone", 60.0)
    titled_alike = _song(3, "Prince", "Someone Else", 40.0)
    ranked = rank([begins_alike, titled_alike, hit], parse_query("prince"), {})
    assert [c.track_id for c in ranked] == [1, 3, 2]
    # A better-known song titled like the name still comes first: neither reading wins outright.
    famous_title = _song(4, "Prince", "A Star", 95.0)
    ranked = rank([hit, famous_title], parse_query("prince"), {})
    assert [c.track_id for c in ranked] == [4, 1]


def test_a_two_word_artist_name_outranks_a_lesser_song_named_after_the_artist() -> None:
    hit = _song(1, "Thinkin Bout You", "Frank Ocean", 80.0)
    tribute = _song(2, "Frank Ocean", "Someone", 30.0)
    ranked = rank([tribute, hit], parse_query("frank ocean"), {})
    assert [c.track_id for c in ranked] == [1, 2]
