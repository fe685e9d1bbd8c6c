"""The plain records every importer yields and the one upsert path consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from musaic.errors import UnprocessableError
from musaic.spotify.refs import spotify_id_from


class ImportFormatError(UnprocessableError):
    """The file cannot be read as the chosen format (bad header, bad shape, truncated)."""

    code = "import_format_error"


class UnknownFormatError(ImportFormatError):
    """No importer recognises the file (auto-detection): not one of the formats Musaic reads."""

    code = "unknown_format"


class BadRecordError(ImportFormatError):
    """One record is bad and the import is strict, so nothing is written."""

    code = "bad_record"


class ArtistRef(NamedTuple):
    """A credited artist: a name, and its Spotify id when the source gives one.

    A named tuple, not a dataclass: an import hashes and compares millions of them (lookups
    by reference), and a tuple does both in C.
    """

    name: str
    spotify_id: str | None = None


@dataclass(frozen=True)
class AlbumRef:
    """The album a track appears on, as a source describes it."""

    name: str
    spotify_id: str | None = None
    release_date: str | None = None


@dataclass
class TrackRecord:
    """One track as a source describes it; None means "this source does not say"."""

    title: str
    artists: list[ArtistRef]
    spotify_id: str | None = None
    isrc: str | None = None
    album: AlbumRef | None = None
    duration_ms: int | None = None
    explicit: bool | None = None
    popularity: int | None = None
    features: dict[str, float] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    location: str = ""


@dataclass
class PlaylistRecord:
    """A human-made playlist from a dataset, its tracks in order."""

    source: str
    external_id: str
    name: str
    tracks: list[TrackRecord]
    location: str = ""


@dataclass
class PlayRecord:
    """One play from a listener's streaming history."""

    played_at: datetime
    ms_played: int
    track: TrackRecord
    location: str = ""


@dataclass
class ArtistTagsRecord:
    """Tags (genres) of an artist known by name, for an artist already in the catalog."""

    artist: str
    tags: dict[str, float]  # tag -> weight, strongest first
    location: str = ""


@dataclass(frozen=True)
class SkippedRecord:
    """A record the importer could not use, with where it was and why."""

    location: str
    reason: str


ImportItem = TrackRecord | PlaylistRecord | PlayRecord | ArtistTagsRecord | SkippedRecord


def spotify_id_from_uri(value: str | None, kind: str) -> str | None:
    """Return the id of "spotify:<kind>:<id>", an open.spotify.com URL or a bare id, else None."""
    return spotify_id_from(value, kind)
