"""The catalog's popularity terciles, computed once per active index build and database."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, scoped_session

from musaic.matching.types import PopularityThresholds
from musaic.models import Track

__all__ = ["PopularityThresholds", "compute_thresholds", "popularity_thresholds"]


# Two full sorts of the tracks table (~350 ms on 200k tracks) are too slow for every request,
# and the terciles only move when the catalog is re-imported, which is followed by an index
# build. So they are derived data of the active build: one entry per engine (one database in
# this process), replaced as soon as the active build id differs. No lock is needed for
# correctness: two threads racing on a new build compute the same values.
_CACHE: WeakKeyDictionary[Engine, tuple[int, PopularityThresholds]] = WeakKeyDictionary()


def popularity_thresholds(
    session: Session | scoped_session[Any], build_id: int | None
) -> PopularityThresholds:
    """Return the terciles for `build_id`, from the cache unless that build is new here.

    Without an index (`build_id` None) they are computed on every call: a catalog that has
    never been indexed is a development or test catalog.
    """
    engine = session.get_bind()
    if build_id is None or not isinstance(engine, Engine):
        return compute_thresholds(session)
    cached = _CACHE.get(engine)
    if cached is not None and cached[0] == build_id:
        return cached[1]
    thresholds = compute_thresholds(session)
    _CACHE[engine] = (build_id, thresholds)
    return thresholds


def compute_thresholds(session: Session | scoped_session[Any]) -> PopularityThresholds:
    """Compute the terciles of playlist_count and (where known) popularity, and the top count."""
    return PopularityThresholds(
        playlist_count=_terciles(session, Track.playlist_count) or (0, 0),
        popularity=_terciles(session, Track.popularity),
        max_playlist_count=session.scalar(select(func.max(Track.playlist_count))) or 0,
    )


def _terciles(
    session: Session | scoped_session[Any], column: InstrumentedAttribute[Any]
) -> tuple[int, int] | None:
    known = select(column).where(column.is_not(None))
    total = session.scalar(select(func.count()).select_from(known.subquery())) or 0
    if total == 0:
        return None
    ordered = known.order_by(column)
    low = session.scalar(ordered.offset(total // 3).limit(1)) or 0
    high = session.scalar(ordered.offset((2 * total) // 3).limit(1)) or 0
    return int(low), int(high)
