"""Title and artist normalisation: one song, many spellings and versions."""

from __future__ import annotations

import pytest

from musaic.catalog.normalise import (
    featured_artists,
    match_key,
    normalise_artist,
    normalise_title,
    song_key,
    split_credit,
    title_keys,
)


@pytest.mark.parametrize(
    "version",
    [
        "Bohemian Rhapsody - Remastered 2011",
        "Bohemian Rhapsody (Live Aid)",
        "Bohemian Rhapsody - Live At Wembley '86",
        "Bohemian Rhapsody [Remix]",
        "BOHEMIAN RHAPSODY",
    ],
)
def test_versions_of_a_song_share_the_song_key(version: str) -> None:
    assert song_key("Queen", version) == song_key("Queen", "Bohemian Rhapsody")


def test_versions_keep_distinct_match_keys() -> None:
    assert match_key("Queen", "Bohemian Rhapsody - Live") != match_key("Queen", "Bohemian Rhapsody")


def test_titles_that_merely_contain_version_words_are_not_stripped() -> None:
    assert song_key("Oasis", "Live Forever") != song_key("Oasis", "Forever")
    assert song_key("a-ha", "Take On Me") == "a ha|take on me"


def test_featured_artists_do_not_change_the_song() -> None:
    assert song_key("Daft Punk", "Get Lucky (feat. Pharrell Williams) - Radio Edit") == song_key(
        "Daft Punk", "Get Lucky"
    )


def test_accents_case_and_leading_the_are_folded() -> None:
    assert normalise_artist("The Beatles") == normalise_artist("beatles")
    assert normalise_artist("Beyoncé") == "beyonce"


@pytest.mark.parametrize(
    "credit, names",
    [
        ("Daft Punk, Pharrell Williams", ["Daft Punk", "Pharrell Williams"]),
        ("Simon & Garfunkel", ["Simon & Garfunkel"]),
        ("AC/DC", ["AC/DC"]),
        ("Tyler, The Creator", ["Tyler, The Creator"]),
        ("Calvin Harris feat. Rihanna", ["Calvin Harris", "Rihanna"]),
    ],
)
def test_split_credit_keeps_band_names_whole(credit: str, names: list[str]) -> None:
    assert split_credit(credit) == names


def test_featured_artists_are_read_from_the_title() -> None:
    assert featured_artists("Lose Control (feat. Ciara & Fat Man Scoop)") == [
        "Ciara",
        "Fat Man Scoop",
    ]
    assert featured_artists("Get Lucky") == []


@pytest.mark.parametrize(
    ("artist", "title"),
    [
        ("Queen", "Bohemian Rhapsody - Remastered 2011"),
        ("Daft Punk", "Get Lucky (feat. Pharrell Williams) - Radio Edit"),
        ("The Beatles", "Let It Be [Remix]"),
        ("a-ha", "Take On Me"),
        ("Oasis", "Live Forever"),
        ("X", "(feat. Nobody)"),  # nothing left without the featuring part
        ("X", "- Live -"),
        ("X", "Song w\u0131th Dotless I (Live)"),  # re.I matches a dotless i as "i"
        ("Beyoncé", "Déjà Vu (feat. Jay-Z)"),
        ("X", "  "),
    ],
)
def test_title_keys_are_the_three_keys_computed_apart(artist: str, title: str) -> None:
    assert title_keys(artist, title) == (
        normalise_title(title),
        match_key(artist, title),
        song_key(artist, title),
    )
