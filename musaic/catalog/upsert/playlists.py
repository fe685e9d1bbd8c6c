"""Write imported playlists, listening history and artist tags through the track writer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from musaic.catalog.importers.records import PlaylistRecord, PlayRecord
from musaic.catalog.upsert.lookups import (
    RowTally,
    Tally,
    bulk_insert,
    insert_returning_ids,
    table_of,
)
from musaic.catalog.upsert.tracks import TrackWriter
from musaic.models import ArtistTag, ListeningEvent, Playlist, PlaylistTrack, Tag, Track
from musaic.shared import chunks

ITEMS, PLAYLISTS, TAGS = table_of(PlaylistTrack), table_of(Playlist), table_of(Tag)
ARTIST_TAGS, TRACKS, EVENTS = table_of(ArtistTag), table_of(Track), table_of(ListeningEvent)


class PlaylistWriter:
    """Create imported playlists, or replace their items when the source changed them."""

    def __init__(self, session: Session, tracks: TrackWriter) -> None:
        self.session = session
        self.tracks = tracks
        self.rows = RowTally()
        # How many more (or fewer) imported playlists hold each track than before this import.
        self.count_changes: Counter[int] = Counter()
        self._known = tracks.lookups.playlists  # shared with the next import of a folder

    def _existing(self, source: str) -> dict[str, tuple[int, str]]:
        if source not in self._known:
            query = select(Playlist.external_id, Playlist.id, Playlist.name).where(
                Playlist.source == source, Playlist.kind == "imported"
            )
            self._known[source] = {str(e): (i, n) for e, i, n in self.session.execute(query)}
        return self._known[source]

    def write(self, records: Sequence[PlaylistRecord]) -> None:
        """Upsert each playlist, keyed by (source, external_id), with its tracks in order."""
        ids = self.tracks.write([t for r in records for t in r.tracks], count_tags=False)
        new: dict[tuple[str, str], tuple[PlaylistRecord, list[int]]] = {}
        changed: list[tuple[int, PlaylistRecord, list[int]]] = []
        start = 0
        for record in records:
            track_ids, start = ids[start : start + len(record.tracks)], start + len(record.tracks)
            hit = self._existing(record.source).get(record.external_id)
            if hit is None:
                new[(record.source, record.external_id)] = (record, track_ids)
            else:
                changed.append((hit[0], record, track_ids))
        self._insert(list(new.values()))
        self._replace_changed(changed)

    def _insert(self, new: list[tuple[PlaylistRecord, list[int]]]) -> None:
        if not new:
            return
        rows = [
            {"kind": "imported", "source": r.source, "external_id": r.external_id}
            | {"name": r.name[:300], "options": "{}"}  # the JSON text of {}: a raw insert
            for r, _ in new
        ]
        playlist_ids = insert_returning_ids(self.session, PLAYLISTS, rows)
        for playlist_id, (record, _) in zip(playlist_ids, new, strict=True):
            self._existing(record.source)[record.external_id] = (playlist_id, record.name[:300])
        self._insert_items([(p, ids) for p, (_, ids) in zip(playlist_ids, new, strict=True)])
        for _, track_ids in new:
            self.count_changes.update(set(track_ids))
        self.rows.created.update(playlist_ids)
        self.rows.seen.update(playlist_ids)

    def _insert_items(self, playlists: list[tuple[int, list[int]]]) -> None:
        rows = [
            (p, position, t) for p, track_ids in playlists for position, t in enumerate(track_ids)
        ]
        bulk_insert(self.session, ITEMS, ("playlist_id", "position", "track_id"), rows)

    def _stored_items(self, playlist_ids: list[int]) -> dict[int, list[int]]:
        stored: dict[int, list[int]] = {p: [] for p in playlist_ids}
        for chunk in chunks(playlist_ids):
            query = (
                select(ITEMS.c.playlist_id, ITEMS.c.track_id)
                .where(ITEMS.c.playlist_id.in_(chunk))
                .order_by(ITEMS.c.playlist_id, ITEMS.c.position)
            )
            for playlist_id, track_id in self.session.execute(query):
                stored[playlist_id].append(track_id)
        return stored

    def _replace_changed(self, candidates: list[tuple[int, PlaylistRecord, list[int]]]) -> None:
        stored = self._stored_items([p for p, _, _ in candidates])
        replaced: dict[int, tuple[PlaylistRecord, list[int]]] = {}
        for playlist_id, record, track_ids in candidates:
            self.rows.seen.add(playlist_id)
            known_name = self._existing(record.source)[record.external_id][1]
            if stored[playlist_id] != track_ids or known_name != record.name[:300]:
                replaced[playlist_id] = (record, track_ids)
                before, after = set(stored[playlist_id]), set(track_ids)
                self.count_changes.update(after - before)
                self.count_changes.subtract(before - after)
                stored[playlist_id] = track_ids
                self._existing(record.source)[record.external_id] = (playlist_id, record.name[:300])
        if not replaced:
            return
        for chunk in chunks(list(replaced)):
            self.session.execute(delete(ITEMS).where(ITEMS.c.playlist_id.in_(chunk)))
        self._insert_items([(p, ids) for p, (_, ids) in replaced.items()])
        self.session.execute(
            update(PLAYLISTS).where(PLAYLISTS.c.id == bindparam("row_id")),
            [{"row_id": p, "name": r.name[:300]} for p, (r, _) in replaced.items()],
        )
        self.rows.updated.update(replaced)

    def recount_tracks(self) -> list[int]:
        """Move each track's playlist_count by what this import changed; return those ids.

        The import knows every playlist it created and the tracks it added to or took from
        every playlist it replaced, so the counts move by that, in one executemany: the cost
        follows the file, not the catalog (a recount over all playlist entries per file made
        importing a folder of slices quadratic).
        """
        changes = [(n, t) for t, n in sorted(self.count_changes.items()) if n]
        if changes:
            self.session.connection().exec_driver_sql(
                _MOVE_COUNT if self.session.get_bind().dialect.paramstyle == "qmark" else _MOVE_PG,
                changes,
            )
        return [t for _, t in changes]


_MOVE_COUNT = "UPDATE tracks SET playlist_count = playlist_count + ? WHERE id = ?"
_MOVE_PG = _MOVE_COUNT.replace("?", "%s")


def _utc(moment: datetime) -> datetime:
    """Return `moment` as a naive UTC time, the form both databases hand back comparably."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class PlayWriter:
    """Add a listener's plays to their history once, keyed by (history_key, time, track)."""

    def __init__(self, session: Session, tracks: TrackWriter, history_key: str) -> None:
        self.session = session
        self.tracks = tracks
        self.history_key = history_key
        self.tally = Tally()
        self._stored: set[tuple[datetime, int]] | None = None

    def write(self, records: Sequence[PlayRecord]) -> None:
        """Store every play not already in this history."""
        if self._stored is None:
            query = select(ListeningEvent.played_at, ListeningEvent.track_id).where(
                ListeningEvent.history_key == self.history_key
            )
            self._stored = {(_utc(at), t) for at, t in self.session.execute(query)}
        track_ids = self.tracks.write([r.track for r in records])
        rows: list[dict[str, Any]] = []
        for record, track_id in zip(records, track_ids, strict=True):
            key = (_utc(record.played_at), track_id)
            if key in self._stored:
                self.tally.unchanged += 1
                continue
            self._stored.add(key)
            rows.append(
                {"history_key": self.history_key, "played_at": record.played_at}
                | {"track_id": track_id, "ms_played": record.ms_played, "user_id": None}
            )
        if rows:
            self.session.execute(insert(EVENTS), rows)
        self.tally.created += len(rows)


def _tag_ids(session: Session, names: list[str]) -> dict[str, int]:
    """Return the ids of these tag names, creating the missing tags."""
    tag_ids: dict[str, int] = {}
    for chunk in chunks(names):
        query = select(Tag.id, Tag.name).where(Tag.name.in_(chunk))
        tag_ids.update({name: tag_id for tag_id, name in session.execute(query)})
    missing = [{"name": n} for n in names if n not in tag_ids]
    if missing:
        statement = insert(TAGS).returning(TAGS.c.id, sort_by_parameter_order=True)
        new_ids = session.execute(statement, missing).scalars().all()
        tag_ids.update({row["name"]: i for row, i in zip(missing, new_ids, strict=True)})
    return tag_ids


def write_artist_tags(
    session: Session,
    weights: Counter[tuple[int, str]],
    source: str,
    *,
    keep_higher: bool = False,
) -> Tally:
    """Tag artists with `weights` ((artist id, tag name) -> weight); return what changed.

    With `keep_higher`, a link already stored with a higher weight (another source's) is left
    as it is, so importing a second source of tags never weakens the first one's.
    """
    folded = Counter[tuple[int, str]]()
    for (artist_id, name), weight in weights.items():
        if name.strip():
            folded[(artist_id, name.strip().lower()[:200])] += weight
    tag_ids = _tag_ids(session, sorted({name for _, name in folded}))
    links = {(a, tag_ids[name]): float(w) for (a, name), w in folded.items()}
    stored: dict[tuple[int, int], float] = {}
    query = select(ArtistTag.artist_id, ArtistTag.tag_id, ArtistTag.weight)
    for chunk in chunks(sorted({a for a, _ in links})):
        rows = session.execute(query.where(ArtistTag.artist_id.in_(chunk)))
        stored.update({(a, t): w for a, t, w in rows})
    new = [
        {"artist_id": a, "tag_id": t, "weight": w, "source": source}
        for (a, t), w in links.items()
        if (a, t) not in stored
    ]
    if keep_higher:
        links = {key: max(w, stored.get(key, w)) for key, w in links.items()}
    changed = [
        {"a": a, "t": t, "weight": w, "source": source}
        for (a, t), w in links.items()
        if (a, t) in stored and stored[(a, t)] != w
    ]
    if new:
        session.execute(insert(ARTIST_TAGS), new)
    if changed:
        where = (ARTIST_TAGS.c.artist_id == bindparam("a")) & (
            ARTIST_TAGS.c.tag_id == bindparam("t")
        )
        session.execute(update(ARTIST_TAGS).where(where), changed)
    return Tally(len(new), len(changed), len(links) - len(new) - len(changed))
