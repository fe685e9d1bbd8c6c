"""Read the catalog into the sparse matrices the similarity index is built from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from musaic.catalog.normalise import featured_artists, normalise_artist
from musaic.indexing.similarity import incidence_matrix
from musaic.models import (
    AUDIO_FEATURES,
    Artist,
    ArtistTag,
    ListeningEvent,
    Playlist,
    PlaylistTrack,
    Track,
    TrackArtist,
)

IdArray = npt.NDArray[np.int64]
SESSION_GAP = timedelta(minutes=30)
MIN_PLAY_MS = 30_000


@dataclass
class CatalogMatrices:
    """Catalog ids and the incidence matrices over them (rows: contexts, columns: items)."""

    track_ids: IdArray  # sorted; column j of `contexts` is track track_ids[j]
    artist_ids: IdArray  # sorted; column j of artist matrices is artist artist_ids[j]
    contexts: sparse.csr_matrix  # playlists and listening sessions x tracks
    artist_contexts: sparse.csr_matrix  # the same contexts x primary artists
    credits: sparse.csr_matrix  # multi-artist tracks x credited artists
    tags: sparse.csr_matrix  # artists x tags, weighted
    audio_tracks: IdArray  # track ids that carry every audio feature
    audio: npt.NDArray[np.float64]  # one row of AUDIO_FEATURES per audio_tracks entry
    n_playlists: int
    n_sessions: int


def listening_sessions(
    plays: Iterable[tuple[str, datetime, int, int]],
    gap: timedelta = SESSION_GAP,
    min_ms: int = MIN_PLAY_MS,
) -> list[list[int]]:
    """Split (history_key, played_at, track_id, ms_played) plays, sorted, into sessions."""
    sessions: list[list[int]] = []
    last_key: str | None = None
    last_time: datetime | None = None
    for key, played_at, track_id, ms_played in plays:
        if ms_played < min_ms:
            continue
        if key != last_key or last_time is None or played_at - last_time > gap:
            sessions.append([])
        sessions[-1].append(track_id)
        last_key, last_time = key, played_at
    return [session for session in sessions if len(set(session)) > 1]


def _positions(ids: IdArray, values: Sequence[int]) -> list[int]:
    """Map catalog ids to their column positions in the sorted `ids`."""
    return np.searchsorted(ids, np.asarray(values, dtype=np.int64)).tolist()


def imported_playlists(session: Session) -> list[list[int]]:
    """Return the track ids of every imported playlist, in order."""
    rows = session.execute(
        select(PlaylistTrack.playlist_id, PlaylistTrack.track_id)
        .join(Playlist, Playlist.id == PlaylistTrack.playlist_id)
        .where(Playlist.kind == "imported")
        .order_by(PlaylistTrack.playlist_id, PlaylistTrack.position)
    )
    grouped: dict[int, list[int]] = {}
    for playlist_id, track_id in rows:
        grouped.setdefault(playlist_id, []).append(track_id)
    return list(grouped.values())


def _sessions(session: Session) -> list[list[int]]:
    """Return the listening sessions of every history."""
    rows = session.execute(
        select(
            ListeningEvent.history_key,
            ListeningEvent.played_at,
            ListeningEvent.track_id,
            ListeningEvent.ms_played,
        ).order_by(ListeningEvent.history_key, ListeningEvent.played_at)
    )
    return listening_sessions((key, at, track, ms) for key, at, track, ms in rows)


def _credits(session: Session, artist_ids: IdArray) -> sparse.csr_matrix:
    """Return tracks x artists for tracks with two or more artists (credits + featured)."""
    by_track: dict[int, set[int]] = {}
    for track_id, artist_id in session.execute(select(TrackArtist.track_id, TrackArtist.artist_id)):
        by_track.setdefault(track_id, set()).add(artist_id)
    by_name = {
        name: id_ for name, id_ in session.execute(select(Artist.normalised_name, Artist.id))
    }
    bracketed = or_(Track.title.like("%(%"), Track.title.like("%[%"))
    titles = session.execute(select(Track.id, Track.title).where(bracketed))
    for track_id, title in titles:
        for name in featured_artists(title):
            featured = by_name.get(normalise_artist(name))
            if featured is not None:
                by_track.setdefault(track_id, set()).add(featured)
    shared = (_positions(artist_ids, sorted(a)) for a in by_track.values() if len(a) > 1)
    return incidence_matrix(shared, artist_ids.size)


def _tags(session: Session, artist_ids: IdArray) -> sparse.csr_matrix:
    """Return the artists x tags weight matrix (tag columns are tag ids)."""
    rows = session.execute(select(ArtistTag.artist_id, ArtistTag.tag_id, ArtistTag.weight)).all()
    if not rows:
        return sparse.csr_matrix((artist_ids.size, 1), dtype=np.float64)
    artist, tag, weight = (np.asarray(column) for column in zip(*rows, strict=True))
    shape = (artist_ids.size, int(tag.max()) + 1)
    positions = np.searchsorted(artist_ids, artist.astype(np.int64))
    return sparse.csr_matrix((weight.astype(np.float64), (positions, tag)), shape=shape)


def _audio(session: Session) -> tuple[IdArray, npt.NDArray[np.float64]]:
    """Return the ids and feature rows of tracks that carry every audio feature."""
    columns = [getattr(Track, name) for name in AUDIO_FEATURES]
    query = select(Track.id, *columns).where(*(c.is_not(None) for c in columns)).order_by(Track.id)
    rows = session.execute(query).all()
    ids = np.asarray([row[0] for row in rows], dtype=np.int64)
    features = np.asarray([row[1:] for row in rows], np.float64).reshape(len(rows), len(columns))
    return ids, features


def _primary_artists(session: Session, track_ids: IdArray, artist_ids: IdArray) -> IdArray:
    """Return each track's primary-artist column (-1 when the track has no credit)."""
    primary = np.full(track_ids.size, -1, dtype=np.int64)
    rows = session.execute(
        select(TrackArtist.track_id, TrackArtist.artist_id).where(TrackArtist.position == 0)
    ).all()
    if rows:
        tracks, artists = (np.asarray(c, dtype=np.int64) for c in zip(*rows, strict=True))
        primary[np.searchsorted(track_ids, tracks)] = np.searchsorted(artist_ids, artists)
    return primary


def load_catalog(session: Session) -> CatalogMatrices:
    """Read contexts, credits, tags and audio features from the catalog."""
    track_ids = np.asarray(session.scalars(select(Track.id).order_by(Track.id)).all(), np.int64)
    artist_ids = np.asarray(session.scalars(select(Artist.id).order_by(Artist.id)).all(), np.int64)
    playlists, listening = imported_playlists(session), _sessions(session)
    context_columns = [_positions(track_ids, ids) for ids in (*playlists, *listening)]
    primary = _primary_artists(session, track_ids, artist_ids)
    artist_columns = ([int(a) for a in primary[cols] if a >= 0] for cols in context_columns)
    audio_tracks, audio = _audio(session)
    return CatalogMatrices(
        track_ids=track_ids,
        artist_ids=artist_ids,
        contexts=incidence_matrix(context_columns, track_ids.size),
        artist_contexts=incidence_matrix(artist_columns, artist_ids.size),
        credits=_credits(session, artist_ids),
        tags=_tags(session, artist_ids),
        audio_tracks=audio_tracks,
        audio=audio,
        n_playlists=len(playlists),
        n_sessions=len(listening),
    )
