"""Pydantic shapes shared by every endpoint: the error envelope and list pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


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


ERROR_RESPONSES: dict[int, type[BaseModel]] = {
    400: ErrorEnvelope,
    404: ErrorEnvelope,
    500: ErrorEnvelope,
}
