"""Pydantic shapes shared by every endpoint: the error envelope, list pages and bounded ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, Field

T = TypeVar("T")

DB_INT_MAX = 2**31 - 1  # every id and count column is a 32-bit INTEGER on PostgreSQL


def integral(value: Any) -> Any:
    """Read 5.0 as 5: JSON Schema counts it an integer; other values go on to strict checks."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Bounds before the validator: pydantic then states them as minimum/maximum in the schema.
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX), BeforeValidator(integral)]
"""A row id: positive and no larger than its INTEGER column holds (else a 400, never a 500)."""

DbOffset = Annotated[int, Field(ge=0, le=DB_INT_MAX), BeforeValidator(integral)]
"""A paging offset: a database OFFSET bound like an id."""


class ErrorBody(BaseModel):
    """What went wrong, in words and as a machine-readable code."""

    code: str = Field(description="snake_case error code, e.g. validation_error")
    message: str
    details: dict[str, Any] = Field(default_factory=dict)
    request_id: str


class ErrorEnvelope(BaseModel):
    """The one shape of every error response."""

    error: ErrorBody


class Page(BaseModel, Generic[T]):
    """A page of a list: items plus the paging that produced it."""

    items: list[T]
    total: int
    limit: int
    offset: int


def page_out(items: list[Any], total: int, limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    """Return a page's JSON: the items, the paging that produced them, then `extra` fields."""
    return {"items": items, "total": total, "limit": limit, "offset": offset, **extra}


ERROR_RESPONSES: dict[int, type[BaseModel]] = {
    400: ErrorEnvelope,
    404: ErrorEnvelope,
    500: ErrorEnvelope,
}


def utc_iso(moment: datetime) -> str:
    """Format a timestamp as RFC 3339 with its offset (SQLite hands back naive UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def is_db_id(text: str) -> bool:
    """Tell whether `text` is the decimal form of a value a DbId accepts."""
    text = text.strip()
    return text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= DB_INT_MAX
