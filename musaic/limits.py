"""Per-listener rate limits (Flask-Limiter on Redis, in memory while Redis is down).

Limits are attached by endpoint name or rule after every blueprint is registered, so a view
added later (e.g. POST /api/playlists/<id>/export) is limited as soon as it exists. A view can
also opt in explicitly with `@rate_limited("EXPORT")`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request, session
from flask_limiter import Limiter, RateLimitExceeded

from musaic import metrics
from musaic.api.errors import error_response
from musaic.observability import security_event

F = TypeVar("F", bound=Callable[..., Any])

# endpoint name -> limit group; RATE_LIMIT_<GROUP> holds the limits.
LIMITED_ENDPOINTS = {
    "playlists.create_playlist": "GENERATE",
    "search.search_tracks": "SEARCH",
    "auth.login": "LOGIN",
    "auth.callback": "LOGIN",
}
# (method, rule suffix) -> group, for endpoints whose names are not known here.
LIMITED_RULES = {("POST", "/export"): "EXPORT"}
_MARK = "_musaic_limit_group"
_APPLIED = "_musaic_limit_applied"


def listener_key() -> str:
    """Who a limit counts against: the user id, else the session id, else the client IP."""
    user_id = session.get("user_id")
    if user_id is not None:
        return f"user:{user_id}"
    sid = getattr(session, "sid", None)
    if sid and current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
        return f"session:{sid}"
    return f"ip:{request.remote_addr or '-'}"


def rate_limited(group: str) -> Callable[[F], F]:
    """Mark a view to be limited by RATE_LIMIT_<group> (applied when the app is built)."""

    def mark(view: F) -> F:
        setattr(view, _MARK, group)
        return view

    return mark


def _group_for(app: Flask, endpoint: str, view: Any) -> str | None:
    marked = getattr(view, _MARK, None) or getattr(getattr(view, "__wrapped__", None), _MARK, None)
    if marked:
        return str(marked)
    if endpoint in LIMITED_ENDPOINTS:
        return LIMITED_ENDPOINTS[endpoint]
    for rule in app.url_map.iter_rules(endpoint):
        for (method, suffix), group in LIMITED_RULES.items():
            if method in (rule.methods or ()) and rule.rule.endswith(suffix):
                return group
    return None


def _retry_after(limiter: Limiter, exc: RateLimitExceeded) -> int:
    window = int(exc.limit.limit.get_expiry())
    current = limiter.current_limit
    if current is None:
        return window
    return min(window, max(1, math.ceil(current.reset_at - time.time())))


def _refuse(limiter: Limiter) -> Callable[[RateLimitExceeded], Response]:
    def handle(exc: RateLimitExceeded) -> Response:
        group = str(getattr(exc.limit, "scope", "") or "unknown")
        retry_after = _retry_after(limiter, exc)
        metrics.RATE_LIMITED.labels(group).inc()
        security_event("rate_limited", limit=group, retry_after=retry_after)
        return error_response(
            429,
            "rate_limited",
            "Too many requests; slow down and try again later.",
            {"limit": str(exc.limit.limit), "retry_after": retry_after},
            {"Retry-After": str(retry_after)},
        )

    return handle


def _storage(app: Flask) -> tuple[str, dict[str, Any]]:
    url = str(app.config.get("REDIS_URL") or "")
    if not url:
        return "memory://", {}
    options: dict[str, Any] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    if url.startswith("rediss://"):
        options["ssl_cert_reqs"] = str(app.config.get("REDIS_SSL_CERT_REQS") or "none")
    return url, options


def init_app(app: Flask) -> Limiter:
    """Bind a limiter to `app` and wrap every limited view (call after the blueprints)."""
    uri, options = _storage(app)
    limiter = Limiter(
        key_func=listener_key,
        storage_uri=uri,
        storage_options=options,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        key_prefix=f"{app.config.get('SESSION_KEY_PREFIX') or 'musaic:'}limits",
        enabled=bool(app.config.get("RATE_LIMIT_ENABLED", True)),
    )
    limiter.init_app(app)
    app.extensions["musaic.limiter"] = limiter
    apply_limits(app)
    app.register_error_handler(RateLimitExceeded, _refuse(limiter))
    return limiter


def apply_limits(app: Flask) -> None:
    """Wrap every limited view not wrapped yet (idempotent; call again after adding routes)."""
    limiter: Limiter = app.extensions["musaic.limiter"]
    for endpoint, view in list(app.view_functions.items()):
        group = _group_for(app, endpoint, view)
        if group and not getattr(view, _APPLIED, False):
            limit = limiter.shared_limit(str(app.config[f"RATE_LIMIT_{group}"]), scope=group)
            wrapped: Any = limit(view)
            setattr(wrapped, _APPLIED, True)
            app.view_functions[endpoint] = wrapped
