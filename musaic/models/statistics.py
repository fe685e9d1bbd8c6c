"""Refresh PostgreSQL's planner statistics after a bulk write, so the hot reads keep their plans.

A database that was just filled has no statistics until autovacuum's next pass (and none at
all where autovacuum is off): the planner then guesses, and generation's two joined reads
(an artist's "tracks" list with its name, the tie-break contenders' facts) took 18 ms each on
the demo catalog instead of 0.7 and 1.8 ms (2026-12-03). `ANALYZE` samples a fixed number of
rows per table (3 s for the whole demo database), so it is run after every index build.

An import also runs `VACUUM`: freshly written rows are not yet marked visible to every
transaction in the visibility map, so the search's index-only scans of its covering indexes
visit the table for each match instead. Right after importing TidyTuesday, search p50 was
11.4 ms (p95 694 ms) and 0.89 ms once vacuumed (`python -m benchmarks search`, 2026-12-04);
the vacuum took 1.1 s. It skips pages that are already all-visible, so after a small import
into a large catalog it touches little more than the new rows.

SQLite plans these reads well without statistics and has no visibility map: nothing is run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session

from musaic.observability import logger


def refresh_statistics(
    session: Session | scoped_session[Any], tables: Sequence[str] = (), *, vacuum: bool = False
) -> bool:
    """Run ANALYZE (with `vacuum`, VACUUM (ANALYZE)) on `tables`, default every table.

    PostgreSQL only. Runs after the data is committed: a failure here (the database went away)
    is logged and reported as False, never raised, so a finished import or build is not
    reported as failed. VACUUM cannot run inside a transaction, so it takes a connection of
    its own in autocommit mode; a session bound to one connection gets ANALYZE alone.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    quoted = ", ".join(f'"{name}"' for name in tables)
    try:
        if vacuum and isinstance(bind, Engine):
            session.commit()
            with bind.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text(f"VACUUM (ANALYZE) {quoted}".rstrip()))
        else:
            session.execute(text(f"ANALYZE {quoted}".rstrip()))
            session.commit()
    except DBAPIError as error:
        session.rollback()
        logger.warning("planner statistics not refreshed", extra={"error": str(error.orig)})
        return False
    return True
