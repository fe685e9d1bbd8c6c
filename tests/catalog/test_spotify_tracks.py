"""Spotify tracks become the same TrackRecords the importers yield."""

from __future__ import annotations

from musaic.catalog.importers.records import AlbumRef, ArtistRef
from musaic.catalog.spotify_tracks import spotify_track_record
from musaic.spotify.models import SpotifyAlbum, SpotifyAlbumRef, SpotifyArtistRef, SpotifyTrack

TRACK_ID, ALBUM_ID, ARTIST_ID = "1" * 22, "2" * 22, "3" * 22
ARTIST = SpotifyArtistRef(ARTIST_ID, "Nova Lane")


def _track(
    album: SpotifyAlbumRef | None, artists: tuple[SpotifyArtistRef, ...] = (ARTIST,)
) -> SpotifyTrack:
    return SpotifyTrack(
        spotify_id=TRACK_ID,
        name="Glass Harbour",
        artists=artists,
        album=album,
        duration_ms=200_000,
        explicit=True,
        isrc="USXXX2300001",
        uri=f"spotify:track:{TRACK_ID}",
        external_url=None,
    )


def test_a_spotify_track_keeps_its_ids_credits_album_and_flags() -> None:
    record = spotify_track_record(
        _track(SpotifyAlbumRef(ALBUM_ID, "Tides", "2023-09-01", 2023), (ARTIST, ARTIST))
    )
    assert (record.title, record.spotify_id, record.isrc) == (
        "Glass Harbour",
        TRACK_ID,
        "USXXX2300001",
    )
    assert record.artists == [ArtistRef("Nova Lane", ARTIST_ID), ArtistRef("Nova Lane", ARTIST_ID)]
    assert record.album == AlbumRef("Tides", ALBUM_ID, "2023-09-01")
    assert (record.duration_ms, record.explicit, record.popularity) == (200_000, True, None)
    assert record.location == f"spotify:track:{TRACK_ID}"


def test_an_album_track_listing_takes_the_album_it_was_listed_under() -> None:
    album = SpotifyAlbum(
        spotify_id=ALBUM_ID,
        name="Tides",
        album_type="album",
        release_date="2023",
        release_year=2023,
        total_tracks=9,
        artists=(ARTIST,),
        uri=f"spotify:album:{ALBUM_ID}",
        external_url=None,
        image_url=None,
        upc=None,
        tracks=(),
    )
    assert spotify_track_record(_track(None), album).album == AlbumRef("Tides", ALBUM_ID, "2023")
    assert spotify_track_record(_track(None)).album is None


def test_a_track_without_credits_gets_the_blank_name_the_writer_calls_unknown() -> None:
    assert spotify_track_record(_track(None, ())).artists == [ArtistRef("")]
