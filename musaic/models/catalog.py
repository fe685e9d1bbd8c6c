"""Catalog rows: artists, albums, tracks, credits and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from musaic.extensions import Base

AUDIO_FEATURES = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
)


class Artist(Base):
    """A performing artist, keyed by Spotify id when known."""

    __tablename__ = "artists"

    id: Mapped[int] = mapped_column(primary_key=True)
    spotify_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    normalised_name: Mapped[str] = mapped_column(String(500), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    tags: Mapped[list[ArtistTag]] = relationship(back_populates="artist", cascade="all")


class Tag(Base):
    """A genre or free-form tag that artists can carry."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class ArtistTag(Base):
    """A tag on an artist, with a weight and the source that said so."""

    __tablename__ = "artist_tags"

    artist_id: Mapped[int] = mapped_column(
        ForeignKey("artists.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(String(40))

    artist: Mapped[Artist] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship()

    __table_args__ = (CheckConstraint("weight >= 0", name="weight_non_negative"),)


class Album(Base):
    """An album (or single) that tracks appear on."""

    __tablename__ = "albums"

    id: Mapped[int] = mapped_column(primary_key=True)
    spotify_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    normalised_name: Mapped[str] = mapped_column(String(500), index=True)
    release_date: Mapped[str | None] = mapped_column(String(10))
    release_year: Mapped[int | None] = mapped_column(SmallInteger)


class Track(Base):
    """One recording; versions of the same song share `song_key`."""

    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    spotify_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    isrc: Mapped[str | None] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(500))
    normalised_title: Mapped[str] = mapped_column(String(500))
    match_key: Mapped[str] = mapped_column(String(1000), index=True)
    song_key: Mapped[str] = mapped_column(String(1000), index=True)
    album_id: Mapped[int | None] = mapped_column(
        ForeignKey("albums.id", ondelete="SET NULL"), index=True
    )
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    explicit: Mapped[bool | None] = mapped_column(Boolean)
    release_year: Mapped[int | None] = mapped_column(SmallInteger, index=True)
    popularity: Mapped[int | None] = mapped_column(SmallInteger)
    playlist_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    danceability: Mapped[float | None] = mapped_column(Float)
    energy: Mapped[float | None] = mapped_column(Float)
    key: Mapped[int | None] = mapped_column(SmallInteger)
    loudness: Mapped[float | None] = mapped_column(Float)
    mode: Mapped[int | None] = mapped_column(SmallInteger)
    speechiness: Mapped[float | None] = mapped_column(Float)
    acousticness: Mapped[float | None] = mapped_column(Float)
    instrumentalness: Mapped[float | None] = mapped_column(Float)
    liveness: Mapped[float | None] = mapped_column(Float)
    valence: Mapped[float | None] = mapped_column(Float)
    tempo: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    album: Mapped[Album | None] = relationship()
    credits: Mapped[list[TrackArtist]] = relationship(
        back_populates="track", order_by="TrackArtist.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("popularity IS NULL OR popularity BETWEEN 0 AND 100", name="popularity"),
        CheckConstraint("duration_ms IS NULL OR duration_ms >= 0", name="duration"),
        CheckConstraint("playlist_count >= 0", name="playlist_count"),
    )

    @property
    def artists(self) -> list[Artist]:
        """Return the credited artists in credit order."""
        return [credit.artist for credit in self.credits]

    @property
    def has_audio_features(self) -> bool:
        """Say whether this track carries the audio features a dataset gave."""
        return self.energy is not None and self.tempo is not None


# An artist's "top tracks": most playlists first, then Spotify popularity, then id (stable).
TOP_TRACK_ORDER = (Track.playlist_count.desc(), Track.popularity.desc().nulls_last(), Track.id)


class TrackArtist(Base):
    """A credit: artist number `position` (0 = primary) on a track."""

    __tablename__ = "track_artists"

    track_id: Mapped[int] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artists.id", ondelete="CASCADE"))

    track: Mapped[Track] = relationship(back_populates="credits")
    artist: Mapped[Artist] = relationship()

    __table_args__ = (
        UniqueConstraint("track_id", "artist_id", name="uq_track_artists_track_artist"),
        CheckConstraint("position >= 0", name="position_non_negative"),
        Index("ix_track_artists_artist_position", "artist_id", "position"),
    )
