"""How many tracks a query matched: counted up to a cap, estimated from term counts beyond it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

COUNT_CAP = 1000


def estimate(session: Session, source: str, params: dict[str, Any]) -> int:
    """Count matches of `source` (a FROM ... WHERE clause) exactly up to COUNT_CAP."""
    counted = session.execute(
        text(f"SELECT count(*) FROM (SELECT 1 AS hit {source} LIMIT :cap) AS capped"),
        {**params, "cap": COUNT_CAP},
    ).scalar_one()
    return int(counted)
