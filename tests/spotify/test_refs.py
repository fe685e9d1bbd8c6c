"""One parser for track references and one builder for Spotify URLs and URIs."""

from __future__ import annotations

import pytest

from musaic.spotify.refs import (
    TrackRef,
    parse_track_ref,
    spotify_id_from,
    spotify_uri,
    spotify_url,
    uri_id,
)

ID = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(
    "value",
    [
        ID,
        f"spotify:track:{ID}",
        f"https://open.spotify.com/track/{ID}",
        f"https://open.spotify.com/intl-de/track/{ID}?si=abc123",
        f"  http://open.spotify.com/intl-pt-BR/track/{ID}/  ",
    ],
)
def test_every_spotify_form_reads_as_the_same_spotify_id(value: str) -> None:
    assert parse_track_ref(value) == TrackRef(spotify_id=ID)


@pytest.mark.parametrize(("value", "expected"), [(42, 42), ("42", 42), (" 7 ", 7)])
def test_digits_and_integers_are_catalog_ids(value: int | str, expected: int) -> None:
    assert parse_track_ref(value) == TrackRef(id=expected)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        0,
        True,
        "9" * 19,
        f"spotify:album:{ID}",
        f"https://open.spotify.com/album/{ID}",
        f"https://evil.example/track/{ID}",
        f"ftp://open.spotify.com/track/{ID}",
        ID[:-1],
    ],
)
def test_anything_else_is_not_a_track_reference(value: int | str) -> None:
    assert parse_track_ref(value) is None


def test_other_kinds_parse_by_kind_and_build_back() -> None:
    assert spotify_id_from(f"spotify:artist:{ID}", "artist") == ID
    assert spotify_id_from(f"spotify:artist:{ID}", "track") is None
    assert spotify_id_from(spotify_url(ID, "album"), "album") == ID
    assert spotify_uri(ID) == f"spotify:track:{ID}"
    assert spotify_url(ID, "playlist") == f"https://open.spotify.com/playlist/{ID}"


def test_uri_id_reads_dataset_keys_without_judging_their_form() -> None:
    assert uri_id("spotify:track:sp1") == "sp1"
    assert uri_id("spotify:track:") is None and uri_id(f"spotify:album:{ID}") is None
