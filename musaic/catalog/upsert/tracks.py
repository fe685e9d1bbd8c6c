"""Match track records to tracks, artists and albums, then create or update them in bulk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from musaic.catalog.importers.records import ArtistRef, TrackRecord
from musaic.catalog.normalise import fold, normalise_artist, title_keys
from musaic.catalog.upsert import scope
from musaic.catalog.upsert.lookups import KeyIndex, Pending, RowTally, bulk_insert, table_of
from musaic.models import AUDIO_FEATURES, Album, Artist, Track, TrackArtist
from musaic.shared import chunks, release_year

TRACKS, ARTISTS, ALBUMS = table_of(Track), table_of(Artist), table_of(Album)
CREDITS = table_of(TrackArtist)
# A later source only fills in what is still unknown: two sources that disagree (a duration off
# by a few ms) must not flip a track back and forth on every re-import.
FILLED_IN = (
    "spotify_id",
    "isrc",
    "album_id",
    "duration_ms",
    "explicit",
    "popularity",
    "release_year",
    *AUDIO_FEATURES,
)


def _track_keys(isrc: str | None, key: str) -> list[str]:
    return [f"isrc:{isrc}", f"key:{key}"] if isrc else [f"key:{key}"]


@lru_cache(maxsize=1 << 16)
def _title_keys(primary: str, title: str) -> tuple[str, str, str]:
    """Return (normalised title, match key, song key); cached, as datasets repeat tracks a lot."""
    normalised, key, song = title_keys(primary, title)
    return normalised[:500], key[:1000], song[:1000]


@lru_cache(maxsize=1 << 16)
def artist_key(name: str) -> str:
    """Return the key an artist name matches by (its normalised name, else a folded one)."""
    return normalise_artist(name)[:500] or fold(name)[:500] or name.lower()[:500]


def _descriptive(record: TrackRecord, album_id: int | None) -> dict[str, Any]:
    """Return the columns a later source may overwrite or fill in, without None values."""
    album = record.album
    values = (
        ("isrc", record.isrc),
        ("album_id", album_id),
        ("duration_ms", record.duration_ms),
        ("explicit", record.explicit),
        ("release_year", release_year(album.release_date) if album else None),
        ("popularity", record.popularity),
        *record.features.items(),
    )
    return {k: v for k, v in values if v is not None}


_NO_FEATURES: dict[str, float | None] = dict.fromkeys(AUDIO_FEATURES)


def _track_row(record: TrackRecord, album_id: int | None) -> dict[str, Any]:
    normalised, key, song = _title_keys(record.artists[0].name, record.title)
    album = record.album
    features = record.features
    return {
        "spotify_id": record.spotify_id,
        "isrc": record.isrc,
        "title": record.title[:500],
        "normalised_title": normalised,
        "match_key": key,
        "song_key": song,
        "album_id": album_id,
        "duration_ms": record.duration_ms,
        "explicit": record.explicit,
        "release_year": release_year(album.release_date if album else None),
        "popularity": record.popularity,
        **({f: features.get(f) for f in AUDIO_FEATURES} if features else _NO_FEATURES),
    }


def _merge(stored: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """Return the columns `incoming` fills in: those still unknown in `stored`."""
    return {k: v for k in FILLED_IN if (v := incoming.get(k)) is not None and stored[k] is None}


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


@dataclass
class CatalogLookups:
    """The keys of the catalog's tracks, artists, albums and imported playlists, in memory.

    Loaded once per import; imports of several files in a row (a folder) share one, since
    each import keeps it up to date with the rows it writes, as long as each one commits. After
    a rolled-back import it holds rows that do not exist: load a new one.
    """

    tracks: KeyIndex = field(default_factory=KeyIndex)
    artists: KeyIndex = field(default_factory=KeyIndex)
    albums: KeyIndex = field(default_factory=KeyIndex)
    playlists: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)  # by source

    @classmethod
    def load(cls, session: Session) -> CatalogLookups:
        """Read every track's, artist's and album's keys (playlists are read per source later)."""
        lookups = cls()
        tracks = select(Track.id, Track.spotify_id, Track.isrc, Track.match_key)
        artists = select(Artist.id, Artist.spotify_id, Artist.normalised_name)
        primary = (
            select(Track.album_id, func.min(TrackArtist.artist_id).label("artist_id"))
            .join(TrackArtist, (TrackArtist.track_id == Track.id) & (TrackArtist.position == 0))
            .group_by(Track.album_id)
            .subquery()
        )
        albums = select(
            Album.id, Album.spotify_id, Album.normalised_name, primary.c.artist_id
        ).outerjoin(primary, primary.c.album_id == Album.id)
        lookups.add_rows(tracks=session.execute(tracks))
        lookups.add_rows(artists=session.execute(artists))
        lookups.add_rows(albums=session.execute(albums))
        return lookups

    def add_rows(
        self, tracks: Iterable[Any] = (), artists: Iterable[Any] = (), albums: Iterable[Any] = ()
    ) -> None:
        """Remember rows read from the catalog."""
        for row_id, spotify_id, isrc, key in tracks:
            self.tracks.add(row_id, spotify_id, _track_keys(isrc, key))
        for row_id, spotify_id, name in artists:
            self.artists.add(row_id, spotify_id, [name])
        for row_id, spotify_id, name, artist_id in albums:
            self.albums.add(row_id, spotify_id, [f"{name}|{artist_id}"])


class TrackWriter:
    """Write track records through in-memory lookups loaded once per import (or shared)."""

    def __init__(
        self,
        session: Session,
        scope: Sequence[TrackRecord] | None = None,
        lookups: CatalogLookups | None = None,
    ) -> None:
        self.session = session
        if lookups is None:
            lookups = CatalogLookups() if scope is not None else CatalogLookups.load(session)
        self.lookups = lookups
        self.tracks, self.artists, self.albums = lookups.tracks, lookups.artists, lookups.albums
        self.track_rows, self.artist_rows, self.album_rows = RowTally(), RowTally(), RowTally()
        self.artist_tags: Counter[tuple[int, str]] = Counter()
        # An artist reference resolved once resolves to the same row again: its Spotify id, or
        # else its name, is then in `artists` for good, and nothing is left to fill in.
        self._resolved_artists: dict[ArtistRef, int] = {}
        if scope is not None:
            self._load_scope(scope)

    def _load_scope(self, records: Sequence[TrackRecord]) -> None:
        """Load only the rows sharing a key with `records`: all the rows they could match."""
        refs = [ref for record in records for ref in record.artists]
        albums = [r.album for r in records if r.album is not None and r.album.name.strip()]
        keys = scope.ScopeKeys(
            track_spotify_ids={r.spotify_id for r in records if r.spotify_id},
            isrcs={r.isrc for r in records if r.isrc},
            match_keys={_title_keys(r.artists[0].name, r.title)[1] for r in records},
            artist_spotify_ids={a.spotify_id for a in refs if a.spotify_id},
            artist_names={artist_key(a.name.strip()[:500] or "Unknown artist") for a in refs},
            album_spotify_ids={a.spotify_id for a in albums if a.spotify_id},
            album_names={fold(a.name.strip()[:500])[:500] for a in albums},
        )
        self.lookups.add_rows(
            scope.track_rows(self.session, keys),
            scope.artist_rows(self.session, keys),
            scope.album_rows(self.session, keys),
        )

    def write(self, records: Sequence[TrackRecord], *, count_tags: bool = True) -> list[int]:
        """Match or create every record's track, artists and album; return track ids in order."""
        artist_ids = self._resolve_artists([ref for r in records for ref in r.artists])
        credits = [
            [artist_ids[r.artists[0]]]  # most tracks credit one artist: nothing to de-duplicate
            if len(r.artists) == 1
            else _unique(artist_ids[ref] for ref in r.artists)
            for r in records
        ]
        album_ids = self._resolve_albums(records, [c[0] for c in credits])
        pending, incoming, ids = Pending(), dict[int, dict[str, Any]](), []
        pending_credits: dict[int, list[int]] = {}
        for record, album_id, credit in zip(records, album_ids, credits, strict=True):
            known = self.tracks.by_spotify.get(record.spotify_id or "")
            if known is not None and known > 0:  # the common case: no keys to compute
                if fresh := _descriptive(record, album_id):
                    incoming[known] = {**incoming.get(known, {}), **fresh}
                ids.append(known)
                continue
            row = _track_row(record, album_id)
            keys = _track_keys(row["isrc"], row["match_key"])
            hit = self.tracks.find(row["spotify_id"], keys)
            if hit is None:
                row_id = self.tracks.temporary_id()
                pending.rows[row_id], pending.keys[row_id] = row, keys
                pending_credits[row_id] = credit
            elif hit[0] < 0:
                row_id = hit[0]
                pending.rows[row_id].update(_merge(pending.rows[row_id], row))
            else:
                row_id = hit[0]
                fresh = {k: v for k, v in row.items() if v is not None}
                if row["spotify_id"] == hit[1]:
                    fresh.pop("spotify_id", None)
                incoming[row_id] = {**incoming.get(row_id, {}), **fresh}
            self.tracks.add(row_id, row["spotify_id"] or (hit[1] if hit else None), keys)
            ids.append(row_id)
        real = pending.insert(self.session, TRACKS, self.tracks)
        self._insert_credits(real, pending_credits)
        self._update_tracks(incoming)
        ids = [real.get(i, i) for i in ids]
        self.track_rows.created.update(real.values())
        self.track_rows.seen.update(ids)
        if count_tags:
            for record, credit in zip(records, credits, strict=True):
                self.artist_tags.update((a, tag[:200]) for tag in record.tags for a in credit)
        return ids

    def _insert_credits(self, real: dict[int, int], credits: dict[int, list[int]]) -> None:
        rows = [
            (real[t], p, a) for t, artist_ids in credits.items() for p, a in enumerate(artist_ids)
        ]
        bulk_insert(self.session, CREDITS, ("track_id", "position", "artist_id"), rows)

    def _update_tracks(self, incoming: dict[int, dict[str, Any]]) -> None:
        columns = FILLED_IN
        changed = []
        candidates = [i for i, values in incoming.items() if any(c in values for c in columns)]
        for chunk in chunks(sorted(candidates)):
            query = select(TRACKS.c.id, *(TRACKS.c[c] for c in columns))
            for row in self.session.execute(query.where(TRACKS.c.id.in_(chunk))).mappings():
                stored = dict(row)
                if changes := _merge(stored, incoming[row["id"]]):
                    changed.append({**stored, **changes, "row_id": row["id"]})
        if changed:
            # Executemany: the SET clause comes from the column-named keys of the parameters.
            statement = update(TRACKS).where(TRACKS.c.id == bindparam("row_id"))
            self.session.execute(
                statement, [{k: v for k, v in r.items() if k != "id"} for r in changed]
            )
            self.track_rows.updated.update(r["row_id"] for r in changed)

    def _resolve_artists(self, refs: list[ArtistRef]) -> dict[ArtistRef, int]:
        known = self._resolved_artists
        resolved: dict[ArtistRef, int] = {}
        pending, fills = Pending(), dict[int, dict[str, Any]]()
        for ref in dict.fromkeys(refs):
            if ref in known:
                resolved[ref] = known[ref]
                continue
            name = ref.name.strip()[:500] or "Unknown artist"
            keys = [artist_key(name)]
            hit = self.artists.find(ref.spotify_id, keys)
            if hit is None:
                row_id = self.artists.temporary_id()
                pending.keys[row_id] = keys
                row = {"spotify_id": ref.spotify_id, "name": name, "normalised_name": keys[0]}
                pending.rows[row_id] = row
            else:
                row_id = hit[0]
                if ref.spotify_id and hit[1] is None:
                    target = pending.rows[row_id] if row_id < 0 else fills.setdefault(row_id, {})
                    target["spotify_id"] = ref.spotify_id
            self.artists.add(row_id, ref.spotify_id or (hit[1] if hit else None), keys)
            resolved[ref] = row_id
        real = pending.insert(self.session, ARTISTS, self.artists)
        self._fill_spotify_ids(ARTISTS, fills, self.artist_rows)
        resolved = {ref: real.get(i, i) for ref, i in resolved.items()}
        known.update(resolved)
        self.artist_rows.created.update(real.values())
        self.artist_rows.seen.update(resolved.values())
        return resolved

    def _resolve_albums(
        self, records: Sequence[TrackRecord], primaries: list[int]
    ) -> list[int | None]:
        ids: list[int | None] = []
        pending, fills = Pending(), dict[int, dict[str, Any]]()
        for record, artist_id in zip(records, primaries, strict=True):
            album = record.album
            if album is None or not album.name.strip():
                ids.append(None)
                continue
            name = album.name.strip()[:500]
            keys = [f"{fold(name)[:500]}|{artist_id}"]
            hit = self.albums.find(album.spotify_id, keys)
            if hit is None:
                row_id = self.albums.temporary_id()
                pending.keys[row_id] = keys
                pending.rows[row_id] = {
                    "spotify_id": album.spotify_id,
                    "name": name,
                    "normalised_name": keys[0].rsplit("|", 1)[0],
                    "release_date": (album.release_date or "")[:10] or None,
                    "release_year": release_year(album.release_date),
                }
            else:
                row_id = hit[0]
                if album.spotify_id and hit[1] is None:
                    target = pending.rows[row_id] if row_id < 0 else fills.setdefault(row_id, {})
                    target["spotify_id"] = album.spotify_id
            self.albums.add(row_id, album.spotify_id or (hit[1] if hit else None), keys)
            ids.append(row_id)
        real = pending.insert(self.session, ALBUMS, self.albums)
        self._fill_spotify_ids(ALBUMS, fills, self.album_rows)
        self.album_rows.created.update(real.values())
        resolved = [real.get(i, i) if i is not None else None for i in ids]
        self.album_rows.seen.update(i for i in resolved if i is not None)
        return resolved

    def _fill_spotify_ids(
        self, table: Table, fills: dict[int, dict[str, Any]], rows: RowTally
    ) -> None:
        if not fills:
            return
        statement = update(table).where(table.c.id == bindparam("row_id"))
        self.session.execute(
            statement, [{"row_id": i, "spotify_id": f["spotify_id"]} for i, f in fills.items()]
        )
        rows.updated.update(fills)
