"""The stand-in's music: tracks, albums and artists read from the TidyTuesday spotify_songs CSV.

The CSV has real Spotify track and album ids but no artist ids, ISRCs or explicit flags, so the
stand-in INVENTS them deterministically (same input, same value, on every machine):
- artist id: the first 22 base62 characters of sha256("artist:" + artist name);
- ISRC: "XX" (not a country code) + "MSC" + two digits of the release year + five digits from a
  hash of the track id. These ISRCs are fake and never match a real recording;
- explicit: true for about one track in five, from a hash of the track id.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_QUERY_TOKEN = re.compile(r'(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)')


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def artist_id_for(name: str) -> str:
    """Return the stand-in's deterministic 22-character artist id for an artist name."""
    number, chars = _digest(f"artist:{name}"), []
    for _ in range(22):
        number, rest = divmod(number, 62)
        chars.append(_BASE62[rest])
    return "".join(chars)


def isrc_for(track_id: str, release_date: str) -> str:
    """Return the stand-in's invented (fake, deterministic) ISRC for a track."""
    year = release_date[2:4] if release_date[:4].isdigit() else "00"
    return f"XXMSC{year}{_digest(f'isrc:{track_id}') % 100_000:05d}"


@dataclass(frozen=True)
class CatalogTrack:
    """One track of the stand-in catalog."""

    spotify_id: str
    name: str
    artist_id: str
    album_id: str
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str


@dataclass
class CatalogAlbum:
    """One album, derived from the rows that name it."""

    spotify_id: str
    name: str
    release_date: str
    artist_id: str
    track_ids: list[str] = field(default_factory=list)


@dataclass
class CatalogArtist:
    """One artist, derived from the rows that credit it."""

    spotify_id: str
    name: str
    album_ids: list[str] = field(default_factory=list)


class Catalog:
    """Tracks, albums and artists by Spotify id, plus a small search."""

    def __init__(self) -> None:
        self.tracks: dict[str, CatalogTrack] = {}
        self.albums: dict[str, CatalogAlbum] = {}
        self.artists: dict[str, CatalogArtist] = {}
        self._haystacks: dict[str, str] = {}

    @classmethod
    def from_csv(cls, path: str | Path, row_limit: int | None = None) -> Catalog:
        """Load the first `row_limit` rows (all when None) of a (gzipped) spotify_songs CSV."""
        catalog = cls()
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle)):
                if row_limit is not None and number >= row_limit:
                    break
                catalog.add_row(row)
        return catalog

    def add_row(self, row: dict[str, str]) -> None:
        """Add one CSV row (a track seen again in another playlist is ignored)."""
        track_id = row["track_id"]
        if track_id in self.tracks or not row.get("track_name"):
            return
        artist_name = row["track_artist"]
        artist = self.artists.setdefault(
            artist_id_for(artist_name), CatalogArtist(artist_id_for(artist_name), artist_name)
        )
        album = self.albums.get(row["track_album_id"])
        if album is None:
            album = CatalogAlbum(
                row["track_album_id"],
                row["track_album_name"],
                row["track_album_release_date"],
                artist.spotify_id,
            )
            self.albums[album.spotify_id] = album
            artist.album_ids.append(album.spotify_id)
        album.track_ids.append(track_id)
        self.tracks[track_id] = CatalogTrack(
            spotify_id=track_id,
            name=row["track_name"],
            artist_id=artist.spotify_id,
            album_id=album.spotify_id,
            track_number=len(album.track_ids),
            duration_ms=int(float(row["duration_ms"] or 0)),
            explicit=_digest(f"explicit:{track_id}") % 5 == 0,
            isrc=isrc_for(track_id, album.release_date),
        )
        self._haystacks[track_id] = f"{row['track_name']} {artist_name} {album.name}".casefold()

    def search(self, query: str) -> list[CatalogTrack]:
        """Return tracks matching every word and filter (track:, artist:, album:, isrc:, year:)."""
        conditions = []
        for match in _QUERY_TOKEN.finditer(query):
            name = (match.group(1) or match.group(3) or "").lower()
            value = match.group(2) or match.group(4) or match.group(5) or match.group(6) or ""
            conditions.append((name, value.casefold()))
        return [t for t in self.tracks.values() if all(self._matches(t, c) for c in conditions)]

    def _matches(self, track: CatalogTrack, condition: tuple[str, str]) -> bool:
        field_name, value = condition
        album = self.albums[track.album_id]
        fields = {
            "track": track.name,
            "artist": self.artists[track.artist_id].name,
            "album": album.name,
            "isrc": track.isrc,
            "year": album.release_date[:4],
        }
        if field_name in fields:
            text = fields[field_name].casefold()
            return text == value if field_name in ("isrc", "year") else value in text
        return value in self._haystacks[track.spotify_id]
