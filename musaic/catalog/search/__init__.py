"""Catalog search: index tracks, and find them by words, prefixes, typos and filters."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from musaic.catalog.search import documents, engine, vocabulary
from musaic.catalog.search.backend import SearchBackend, SearchDocument
from musaic.catalog.search.engine import CatalogHits
from musaic.catalog.search.postgres import PostgresBackend
from musaic.catalog.search.query import ParsedQuery, QuerySyntaxError, parse_query
from musaic.catalog.search.sqlite_fts import SqliteFtsBackend
from musaic.extensions import db

__all__ = [
    "BACKENDS",
    "CatalogHits",
    "ParsedQuery",
    "QuerySyntaxError",
    "SearchBackend",
    "SearchDocument",
    "backend_for",
    "index_tracks",
    "parse_query",
    "rebuild_index",
    "search_catalog",
]

BACKENDS: dict[str, SearchBackend] = {
    backend.dialect: backend for backend in (SqliteFtsBackend(), PostgresBackend())
}


def backend_for(session: Session) -> SearchBackend:
    """Return the search backend for the database `session` is bound to."""
    return BACKENDS[session.get_bind().dialect.name]


def index_tracks(track_ids: Iterable[int]) -> None:
    """(Re)build the search documents of these tracks in the current session (caller commits)."""
    session = db.session()
    documents.write_tracks(session, backend_for(session), track_ids)


def rebuild_index() -> None:
    """Rebuild every search document and the typo vocabulary from the catalog (caller commits)."""
    session = db.session()
    documents.rebuild(session, backend_for(session))


def search_catalog(query: ParsedQuery, *, limit: int, offset: int = 0) -> CatalogHits:
    """Return one page of catalog track ids matching `query`, best first, versions grouped."""
    session = db.session()
    backend = backend_for(session)
    with vocabulary.cached(session):
        return engine.search(session, backend, query, limit=limit, offset=offset)
