"""Build search documents from catalog rows and write them through the dialect's backend."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from musaic.catalog.search import vocabulary
from musaic.catalog.search.backend import SearchBackend, SearchDocument
from musaic.catalog.search.query import tokenize
from musaic.shared import chunks

BATCH_SIZE = 2000

# Plain SQL over named columns, so the migration that rebuilds documents can use it too.
_TRACKS = text(
    "SELECT t.id, t.title, t.popularity, t.playlist_count, a.name, t.song_key,"
    " t.normalised_title, t.release_year FROM tracks AS t"
    " LEFT JOIN albums AS a ON a.id = t.album_id WHERE t.id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_CREDITS = text(
    "SELECT ta.track_id, ar.name FROM track_artists AS ta JOIN artists AS ar"
    " ON ar.id = ta.artist_id WHERE ta.track_id IN :ids ORDER BY ta.track_id, ta.position"
).bindparams(bindparam("ids", expanding=True))


def prominence(popularity: int | None, playlist_count: int | None) -> float:
    """Blend dataset popularity (0-100) and playlist appearances into one tie-break weight."""
    value = float(popularity or 0) + 20.0 * math.log10(1 + (playlist_count or 0))
    return round(value, 2)  # both databases then order ties the same way


@dataclass(frozen=True)
class TrackText:
    """The catalog values one track's document is built from."""

    track_id: int
    title: str
    artists: Sequence[str]
    album: str | None
    song_key: str
    normalised_title: str
    release_year: int | None


def build_document(track: TrackText, weight: float) -> SearchDocument:
    """Return the search document of one track: folded title, artists, album, prominence."""
    return SearchDocument(
        track_id=track.track_id,
        title=" ".join(tokenize(track.title)),
        artists=" , ".join(" ".join(tokenize(name)) for name in track.artists),
        album=" ".join(tokenize(track.album)) if track.album else "",
        prominence=weight,
        song_key=track.song_key,
        normalised_title=track.normalised_title,
        release_year=track.release_year,
    )


def _documents(session: Session, ids: Sequence[int]) -> list[SearchDocument]:
    credits: dict[int, list[str]] = {}
    for track_id, name in session.execute(_CREDITS, {"ids": list(ids)}):
        credits.setdefault(track_id, []).append(name)
    return [
        build_document(
            TrackText(tid, title, credits.get(tid, []), album, key, normalised, year),
            prominence(pop, playlists),
        )
        for tid, title, pop, playlists, album, key, normalised, year in session.execute(
            _TRACKS, {"ids": list(ids)}
        )
    ]


def _term_counts(documents: Iterable[SearchDocument]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for d in documents:
        counts.update(set(f"{d.title} {d.artists} {d.album}".split()) - {","})
    return counts


def write_tracks(session: Session, backend: SearchBackend, track_ids: Iterable[int]) -> int:
    """(Re)build the documents and vocabulary of these tracks; return how many were written."""
    written, terms = 0, Counter[str]()
    for chunk in chunks(sorted(set(track_ids)), BATCH_SIZE):
        documents = _documents(session, chunk)
        missing = set(chunk) - {d.track_id for d in documents}
        backend.delete_documents(session, sorted(missing))
        backend.write_documents(session, documents)
        terms.update(_term_counts(documents))
        written += len(documents)
    # One vocabulary upsert per distinct term, not one per term and batch of documents.
    vocabulary.add_terms(session, terms)
    return written


def rebuild(session: Session, backend: SearchBackend) -> int:
    """Rebuild every document and the whole vocabulary; return how many were written."""
    backend.clear(session)
    ids = session.scalars(text("SELECT id FROM tracks ORDER BY id")).all()
    return write_tracks(session, backend, ids)
