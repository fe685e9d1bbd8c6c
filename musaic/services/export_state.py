"""The export row: claim it for one attempt, store each step under the claim, let it go."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from musaic.errors import ConflictError
from musaic.extensions import db
from musaic.models import PlaylistExport

LEASE_SECONDS = 120  # longer than any one attempt; a crashed attempt's claim lapses after it
BUSY_RETRY_AFTER_SECONDS = 5


class ExportInProgressError(ConflictError):
    """Another attempt is saving this playlist to Spotify right now (409 with Retry-After)."""

    code = "export_in_progress"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "This playlist is being saved to Spotify already; try again shortly.",
            details={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


@dataclass(frozen=True)
class Claim:
    """This attempt's hold on a playlist's export row: the version it bumped the row to."""

    playlist_id: int
    version: int


def new_marker() -> str:
    """Return a fresh per-export marker to put in the Spotify playlist's description."""
    return f"musaic:{secrets.token_hex(5)}"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite gives naive datetimes back
        return moment.replace(tzinfo=UTC)
    return moment


def load(playlist_id: int) -> PlaylistExport | None:
    """Read the export row as committed now."""
    return db.session.scalar(
        select(PlaylistExport)
        .where(PlaylistExport.playlist_id == playlist_id)
        .execution_options(populate_existing=True)
    )


def _ensure_row(playlist_id: int, user_id: int) -> PlaylistExport:
    row = load(playlist_id)
    if row is not None:
        return row
    db.session.rollback()
    db.session.add(
        PlaylistExport(
            playlist_id=playlist_id, user_id=user_id, state="pending", marker=new_marker()
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent attempt inserted it first; its row is as good
        db.session.rollback()
    found = load(playlist_id)
    assert found is not None
    return found


def claim(playlist_id: int, user_id: int) -> tuple[Claim, PlaylistExport]:
    """Take the export row for this attempt, creating it first when there is none.

    Like the token refresh, only one attempt can bump `version` from the value it read; a
    live lease (another attempt in flight) or a lost bump is ExportInProgressError (409).
    """
    row = _ensure_row(playlist_id, user_id)
    seen, lease, now = row.version, _aware(row.lease_until), _now()
    if lease is not None and lease > now:
        raise ExportInProgressError(max(1, math.ceil((lease - now).total_seconds())))
    db.session.rollback()  # end the read so SQLite can take the write lock without deadlock
    taken = db.session.execute(
        update(PlaylistExport)
        .where(PlaylistExport.playlist_id == playlist_id, PlaylistExport.version == seen)
        .values(
            version=seen + 1,
            user_id=user_id,
            lease_until=now + timedelta(seconds=LEASE_SECONDS),
            attempted_at=now,
        )
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ExportInProgressError(BUSY_RETRY_AFTER_SECONDS)
    db.session.commit()
    fresh = load(playlist_id)
    assert fresh is not None
    return Claim(playlist_id, seen + 1), fresh


def save(held: Claim, *, release: bool = False, **values: Any) -> None:
    """Commit progress under the claim and renew (or release) its lease.

    Raises:
        ExportInProgressError: the claim lapsed and another attempt took the row.
    """
    db.session.commit()  # end any read transaction first (SQLite: no stale snapshot writes)
    lease = None if release else _now() + timedelta(seconds=LEASE_SECONDS)
    done = db.session.execute(
        update(PlaylistExport)
        .where(
            PlaylistExport.playlist_id == held.playlist_id,
            PlaylistExport.version == held.version,
        )
        .values(lease_until=lease, **values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ExportInProgressError(BUSY_RETRY_AFTER_SECONDS)
    db.session.commit()


def let_go(held: Claim) -> None:
    """Release the claim after a failure, keeping every step already stored."""
    db.session.rollback()
    db.session.execute(
        update(PlaylistExport)
        .where(
            PlaylistExport.playlist_id == held.playlist_id,
            PlaylistExport.version == held.version,
        )
        .values(lease_until=None)
    )
    db.session.commit()
