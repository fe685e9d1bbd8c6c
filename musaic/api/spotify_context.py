"""The logged-in listener's Spotify client for this request, with every call counted and logged."""

from __future__ import annotations

import time

from flask import current_app, g, session

from musaic import metrics
from musaic.observability import current_request_id, current_user_id, logger
from musaic.services.spotify_access import build_factory, client_for_user, make_vault
from musaic.spotify import SpotifyClient
from musaic.spotify.factory import SpotifyFactory, SpotifySettings

_CACHE_KEY = "musaic.spotify_factory_cache"


def record_spotify_call(endpoint: str, method: str, status: int | None, duration_ms: float) -> None:
    """Count a Spotify call against this request and log it (never with the token)."""
    g.spotify_calls = g.get("spotify_calls", 0) + 1
    metrics.record_spotify(endpoint, method, status, duration_ms)
    logger.info(
        "spotify call",
        extra={
            "request_id": current_request_id(),
            "user_id": current_user_id(),
            "spotify_endpoint": endpoint,
            "spotify_method": method,
            "spotify_status": status,
            "duration_ms": round(duration_ms, 2),
        },
    )


def spotify_factory() -> SpotifyFactory:
    """Return the injected SpotifyFactory, else one built from (and rebuilt with) the settings."""
    injected = current_app.extensions.get("musaic.spotify_factory")
    if injected is not None:
        return injected  # type: ignore[no-any-return,unused-ignore]
    settings = SpotifySettings.from_config(current_app.config)
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None or cached.settings != settings:
        cached = current_app.extensions[_CACHE_KEY] = build_factory(current_app.config)
    return cached  # type: ignore[no-any-return,unused-ignore]


def request_deadline() -> float:
    """The monotonic time by which this request's Spotify calls must be over."""
    if "spotify_deadline" not in g:
        started = g.get("request_started", time.perf_counter())
        spent = time.perf_counter() - started
        budget = float(current_app.config.get("SPOTIFY_REQUEST_BUDGET_SECONDS", 20.0))
        g.spotify_deadline = time.monotonic() + budget - spent
    return float(g.spotify_deadline)


def listener_client() -> SpotifyClient | None:
    """Return a client for the logged-in listener, or None (not logged in / not configured)."""
    user_id = session.get("user_id")
    factory = spotify_factory()
    if user_id is None or not factory.settings.configured:
        return None
    return client_for_user(
        factory,
        make_vault(current_app.config),
        int(user_id),
        recorder=record_spotify_call,
        guard=current_app.extensions.get("musaic.spotify_guard"),
        deadline=request_deadline,
    )
