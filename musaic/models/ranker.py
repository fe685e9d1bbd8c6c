"""The learned second stage's model, stored with the index build it was trained for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from musaic.extensions import Base


class RankerModel(Base):
    """A LightGBM model (text format) for the `ranked` matcher, one per index build."""

    __tablename__ = "ranker_models"

    build_id: Mapped[int] = mapped_column(
        ForeignKey("index_builds.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(Text)
    features: Mapped[list[str]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
