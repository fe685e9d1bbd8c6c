"""Limits on request bodies: JSON nesting depth (size is MAX_CONTENT_LENGTH, a 413)."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context
from flask.json.provider import DefaultJSONProvider

MAX_JSON_DEPTH = 32


class JsonLimitError(ValueError):
    """A request body is valid JSON but nested deeper than MAX_JSON_DEPTH."""


def json_depth(value: Any) -> int:
    """Return how deeply `value` nests lists and objects, without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                children = node.values() if isinstance(node, dict) else node
                stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing bodies nested deeper than MAX_JSON_DEPTH."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; too deep a nesting is a ValueError (Werkzeug's 400), never a crash."""
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:
            raise _too_deep() from exc
        if json_depth(value) > MAX_JSON_DEPTH:
            raise _too_deep()
        return value


def _too_deep() -> JsonLimitError:
    error = JsonLimitError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if has_request_context():
        g.json_error = str(error)  # get_json(silent=True) swallows the reason; keep it
    return error


def init_app(app: Flask) -> None:
    """Parse every request body with the bounded provider."""
    app.json = BoundedJSONProvider(app)
