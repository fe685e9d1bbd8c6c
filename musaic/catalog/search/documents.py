"""Build search documents from catalog rows and write them through the dialect's backend."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from musaic.catalog.search import vocabulary
from musaic.catalog.search.backend import SearchBackend, SearchDocument, ranked_rowid
from musaic.catalog.search.query import tokenize
from musaic.shared import chunks

BATCH_SIZE = 2000

# Plain SQL over named columns, so the migration that rebuilds documents can use it too.
_TRACKS = text(
    "SELECT t.id, t.title, t.popularity, t.playlist_count, a.name, t.song_key,"
    " t.normalised_title, t.release_year FROM tracks AS t"
    " LEFT JOIN albums AS a ON a.id = t.album_id WHERE t.id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_WEIGHTS = text("SELECT id, popularity, playlist_count FROM tracks WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
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


@lru_cache(maxsize=1 << 16)
def _words(text: str) -> str:
    """Return the folded words of a name; cached, as artists and albums recur across tracks."""
    return " ".join(tokenize(text))


def build_document(track: TrackText, weight: float) -> SearchDocument:
    """Return the search document of one track: folded title, artists, album, prominence."""
    return SearchDocument(
        track_id=track.track_id,
        title=" ".join(tokenize(track.title)),
        artists=" , ".join(_words(name) for name in track.artists),
        album=_words(track.album) if track.album else "",
        prominence=weight,
        song_key=track.song_key,
        normalised_title=track.normalised_title,
        release_year=track.release_year,
    )


def _documents(session: Session, ids: Sequence[int]) -> list[SearchDocument]:
    credits: dict[int, list[str]] = {}
    for track_id, name in session.execute(_CREDITS, {"ids": list(ids)}).all():
        credits.setdefault(track_id, []).append(name)
    return [
        build_document(
            TrackText(tid, title, credits.get(tid, []), album, key, normalised, year),
            prominence(pop, playlists),
        )
        for tid, title, pop, playlists, album, key, normalised, year in session.execute(
            _TRACKS, {"ids": list(ids)}
        ).all()
    ]


def _term_counts(words: Iterable[tuple[str, str, str]]) -> Counter[str]:
    """Count the documents each term is in, from their (title, artists, album) words."""
    counts: Counter[str] = Counter()
    for title, artists, album in words:
        counts.update(set(f"{title} {artists} {album}".split()) - {","})
    return counts


def _in_index_order(session: Session, track_ids: Sequence[int]) -> list[int]:
    """Return the ids of these tracks in the order of their documents' rowids (SQLite's).

    FTS5 writes its pending terms out as a new segment whenever a rowid smaller than the last
    one comes in: documents in track id order (random rowids) made a segment, and merges, every
    few documents. Ids without a track are left out.
    """
    rowids: dict[int, int] = {}
    for chunk in chunks(track_ids, BATCH_SIZE):
        for track_id, popularity, playlists in session.execute(
            _WEIGHTS, {"ids": list(chunk)}
        ).all():
            rowids[track_id] = ranked_rowid(track_id, prominence(popularity, playlists))
    return sorted(rowids, key=rowids.__getitem__)


def write_tracks(session: Session, backend: SearchBackend, track_ids: Iterable[int]) -> int:
    """(Re)build the documents and vocabulary of these tracks; return how many were written.

    Every old document goes first, then the new ones are written in rowid order (see
    `_in_index_order`), so a replaced document never sends a smaller rowid in between.
    """
    ids = sorted(set(track_ids))
    removed = Counter[str]()
    for chunk in chunks(ids, BATCH_SIZE):
        removed.update(_term_counts(backend.delete_documents(session, chunk)))
    written, terms = 0, Counter[str]()
    for chunk in chunks(_in_index_order(session, ids), BATCH_SIZE):
        documents = _documents(session, chunk)
        backend.write_documents(session, documents)
        terms.update(_term_counts((d.title, d.artists, d.album) for d in documents))
        written += len(documents)
    # The vocabulary moves by the difference: a rewritten document that kept its words (a
    # recount) leaves every count as it was. One upsert per distinct term, not per batch.
    terms.subtract(removed)
    vocabulary.add_terms(session, +terms)
    vocabulary.remove_terms(session, -terms)
    return written


def rebuild(session: Session, backend: SearchBackend) -> int:
    """Rebuild every document and the whole vocabulary; return how many were written."""
    backend.clear(session)
    ids = session.scalars(text("SELECT id FROM tracks ORDER BY id")).all()
    return write_tracks(session, backend, ids)
