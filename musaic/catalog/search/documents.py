"""Build search documents from catalog rows and write them through the dialect's backend."""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from musaic.catalog.search.backend import SearchBackend, SearchDocument
from musaic.catalog.search.query import tokenize
from musaic.models import Track, TrackArtist
from musaic.shared import chunks

BATCH_SIZE = 2000


def prominence(popularity: int | None, playlist_count: int | None) -> float:
    """Blend dataset popularity (0-100) and playlist appearances into one tie-break weight."""
    return float(popularity or 0) + 20.0 * math.log10(1 + (playlist_count or 0))


def build_document(track: Track) -> SearchDocument:
    """Return the search document of one track: folded title, artists, album, prominence."""
    return SearchDocument(
        track_id=track.id,
        title=" ".join(tokenize(track.title)),
        artists=" , ".join(" ".join(tokenize(a.name)) for a in track.artists),
        album=" ".join(tokenize(track.album.name)) if track.album else "",
        prominence=prominence(track.popularity, track.playlist_count),
    )


def write_tracks(session: Session, backend: SearchBackend, track_ids: Iterable[int]) -> int:
    """(Re)build the documents and vocabulary of these tracks; return how many were written."""
    written = 0
    for chunk in chunks(sorted(set(track_ids)), BATCH_SIZE):
        tracks = session.scalars(
            select(Track)
            .where(Track.id.in_(chunk))
            .options(
                selectinload(Track.credits).selectinload(TrackArtist.artist),
                selectinload(Track.album),
            )
        ).all()
        documents = [build_document(track) for track in tracks]
        missing = set(chunk) - {d.track_id for d in documents}
        backend.delete_documents(session, sorted(missing))
        backend.write_documents(session, documents)
        backend.add_terms(
            session, (w for d in documents for w in f"{d.title} {d.artists} {d.album}".split())
        )
        written += len(documents)
    return written
