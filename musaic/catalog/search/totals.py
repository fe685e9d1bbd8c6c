"""How many tracks a query matched, when more matched than were fetched: estimated, not counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from musaic.catalog.search import vocabulary
from musaic.catalog.search.backend import MatchGroups

COUNT_CAP = 1000


def estimate(
    session: Session, groups: MatchGroups, filtered: bool, source: str, params: dict[str, Any]
) -> int:
    """Return the vocabulary's bound for `groups`; count (up to COUNT_CAP) only without one.

    With filters (artist:, year:) or no bounded group the matches of `source` (a FROM ... WHERE
    clause) are counted up to COUNT_CAP instead.
    """
    most = None if filtered else vocabulary.bound(session, groups)
    if most is not None:
        return most
    counted = session.execute(
        text(f"SELECT count(*) FROM (SELECT 1 AS hit {source} LIMIT :cap) AS capped"),
        {**params, "cap": COUNT_CAP},
    ).scalar_one()
    return int(counted)
