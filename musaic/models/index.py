"""The similarity index: versioned top-K neighbour tables that generation only reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from musaic.extensions import Base


class IndexBuild(Base):
    """One run of `musaic index build`; exactly one finished build is active at a time."""

    __tablename__ = "index_builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="building")
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TrackNeighbour(Base):
    """Track `neighbour_id` is the `rank`-th neighbour of `track_id` by signal `kind`."""

    __tablename__ = "track_neighbours"

    build_id: Mapped[int] = mapped_column(
        ForeignKey("index_builds.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    track_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    neighbour_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    support: Mapped[int | None] = mapped_column(Integer)


class ArtistNeighbour(Base):
    """Artist `neighbour_id` is the `rank`-th neighbour of `artist_id` by signal `kind`."""

    __tablename__ = "artist_neighbours"

    build_id: Mapped[int] = mapped_column(
        ForeignKey("index_builds.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    neighbour_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    support: Mapped[int | None] = mapped_column(Integer)
