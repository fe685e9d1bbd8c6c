"""Playlists: imported (human-made) and generated (by Musaic), and listening history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from musaic.extensions import Base
from musaic.models.catalog import Track

PLAYLIST_KINDS = ("imported", "generated")
EXPORT_STATES = ("pending", "creating", "created", "complete")


class Playlist(Base):
    """An ordered list of tracks, either imported from a dataset or generated from a seed."""

    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    session_key: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(300))
    seed_track_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracks.id", ondelete="SET NULL"), index=True
    )
    matcher: Mapped[str | None] = mapped_column(String(40))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    spotify_playlist_id: Mapped[str | None] = mapped_column(String(64))
    exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    items: Mapped[list[PlaylistTrack]] = relationship(
        back_populates="playlist",
        order_by="PlaylistTrack.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("kind IN ('imported', 'generated')", name="kind"),
        UniqueConstraint("source", "external_id", name="uq_playlists_source_external_id"),
        Index("ix_playlists_kind_created", "kind", "created_at"),
    )


class PlaylistTrack(Base):
    """Track number `position` of a playlist, with the score and reasons that put it there."""

    __tablename__ = "playlist_tracks"

    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    playlist: Mapped[Playlist] = relationship(back_populates="items")
    track: Mapped[Track] = relationship()

    __table_args__ = (CheckConstraint("position >= 0", name="position_non_negative"),)


class ListeningEvent(Base):
    """One play from a listener's streaming history; sessions of plays feed the index."""

    __tablename__ = "listening_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    history_key: Mapped[str] = mapped_column(String(64))
    played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    ms_played: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("history_key", "played_at", "track_id", name="uq_listening_events_play"),
        CheckConstraint("ms_played >= 0", name="ms_played_non_negative"),
    )


class PlaylistExport(Base):
    """How far saving a playlist to Spotify got, so a retry resumes instead of creating twice.

    `state` is "pending" before anything was sent, "creating" once the create call may have gone
    out (its outcome can be unknown: `marker` is in the description, so GET /me/playlists finds
    it), "created" once the Spotify playlist id is stored, "complete" once every item is written.
    `version` is bumped by whoever claims the row; `lease_until` says until when that claim holds.
    """

    __tablename__ = "playlist_exports"

    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    marker: Mapped[str] = mapped_column(String(32))
    spotify_playlist_id: Mapped[str | None] = mapped_column(String(64))
    spotify_uri: Mapped[str | None] = mapped_column(String(100))
    snapshot_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(400))
    public: Mapped[bool | None] = mapped_column(Boolean)
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'creating', 'created', 'complete')", name="state"),
    )
