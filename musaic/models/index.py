"""The similarity index: versioned top-K neighbour lists that generation only reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from musaic.extensions import Base

# Packed lists are little-endian whatever the machine (docs/index-contract.md).
ID_TYPE, SCORE_TYPE, SUPPORT_TYPE = np.dtype("<i4"), np.dtype("<f4"), np.dtype("<i4")
# The artist kind that lists each artist's most-playlisted tracks (docs/index-contract.md):
# neighbour ids are track ids, support is each track's playlist count.
ARTIST_TRACKS_KIND = "tracks"
ARTIST_TRACKS_K = 50


class IndexBuild(Base):
    """One run of `musaic index build`; exactly one finished build is active at a time."""

    __tablename__ = "index_builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="building")
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PackedList(NamedTuple):
    """One owner's neighbour list, best first, as the bytes stored in a neighbour-list row."""

    size: int
    neighbour_ids: bytes  # `size` little-endian int32 catalog ids
    scores: bytes  # `size` little-endian float32, higher is closer
    support: bytes | None  # `size` little-endian int32 counts, or None for a kind without them


class UnpackedList(NamedTuple):
    """A neighbour list decoded into numpy arrays (read-only views of the stored bytes)."""

    neighbour_ids: npt.NDArray[np.int32]
    scores: npt.NDArray[np.float32]
    support: npt.NDArray[np.int32] | None


def pack_list(
    neighbour_ids: npt.ArrayLike, scores: npt.ArrayLike, support: npt.ArrayLike | None = None
) -> PackedList:
    """Pack one best-first neighbour list into the stored bytes."""
    ids = np.ascontiguousarray(neighbour_ids, dtype=ID_TYPE)
    packed_support = None
    if support is not None:
        packed_support = np.ascontiguousarray(support, dtype=SUPPORT_TYPE).tobytes()
    values = np.ascontiguousarray(scores, dtype=SCORE_TYPE).tobytes()
    return PackedList(int(ids.size), ids.tobytes(), values, packed_support)


def unpack_list(
    neighbour_ids: bytes, scores: bytes, support: bytes | None, limit: int | None = None
) -> UnpackedList:
    """Decode the first `limit` (default all) entries of one stored neighbour list."""
    end = len(neighbour_ids) // ID_TYPE.itemsize if limit is None else limit
    (ids,) = unpack_columns([neighbour_ids], ID_TYPE, ID_TYPE, end)
    (values,) = unpack_columns([scores], SCORE_TYPE, SCORE_TYPE, end)
    counts = None
    if support is not None:
        (counts,) = unpack_columns([support], SUPPORT_TYPE, SUPPORT_TYPE, end)
    return UnpackedList(ids, values, counts)


def unpack_columns(
    blobs: Sequence[bytes], dtype: np.dtype[Any], output: npt.DTypeLike, limit: int
) -> list[npt.NDArray[Any]]:
    """Decode one column of many stored lists at once: the first `limit` entries of each.

    One `frombuffer` and one conversion to `output` for all of them, then a view per list:
    a generation decodes ~75 lists, and per-list calls cost more than the decoding.
    """
    if not blobs:
        return []
    values = np.frombuffer(b"".join(blobs), dtype=dtype).astype(output)
    ends = np.cumsum([len(blob) // dtype.itemsize for blob in blobs]).tolist()
    spans = zip([0, *ends[:-1]], ends, strict=True)
    return [values[start : min(end, start + limit)] for start, end in spans]


class TrackNeighbourList(Base):
    """The best-first neighbours of track `track_id` by signal `kind`, packed in one row."""

    __tablename__ = "track_neighbour_lists"

    build_id: Mapped[int] = mapped_column(
        ForeignKey("index_builds.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    track_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    neighbour_ids: Mapped[bytes] = mapped_column(LargeBinary)
    scores: Mapped[bytes] = mapped_column(LargeBinary)
    support: Mapped[bytes | None] = mapped_column(LargeBinary)


class ArtistNeighbourList(Base):
    """The best-first neighbours of artist `artist_id` by signal `kind`, packed in one row."""

    __tablename__ = "artist_neighbour_lists"

    build_id: Mapped[int] = mapped_column(
        ForeignKey("index_builds.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    neighbour_ids: Mapped[bytes] = mapped_column(LargeBinary)
    scores: Mapped[bytes] = mapped_column(LargeBinary)
    support: Mapped[bytes | None] = mapped_column(LargeBinary)
