"""Prometheus metrics at /metrics, summed over gunicorn workers (PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

import os
import re
import secrets

from flask import Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from musaic.errors import NotFoundError, UnauthorisedError

REQUEST_SECONDS = Histogram(
    "musaic_request_duration_seconds",
    "Time to answer a request, by endpoint, method and status.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30),
)
SPOTIFY_CALLS = Counter(
    "musaic_spotify_calls_total",
    "Calls to the Spotify Web API, by endpoint template, method and status (none: no answer).",
    ["endpoint", "method", "status"],
)
SPOTIFY_SECONDS = Histogram(
    "musaic_spotify_call_duration_seconds",
    "Duration of one Spotify call, by endpoint template.",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
GENERATION_STAGE_SECONDS = Histogram(
    "musaic_generation_stage_seconds",
    "Time spent in each stage of playlist generation (resolve, match, postprocess, save).",
    ["stage"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
RATE_LIMITED = Counter(
    "musaic_rate_limited_total", "Requests refused with 429, by limit group.", ["limit"]
)
CSRF_REFUSED = Counter("musaic_csrf_refused_total", "Unsafe requests refused by the CSRF check.")

_SERVER_TIMING = re.compile(r"([a-z_]+);dur=([0-9.]+)")
GENERATE_ENDPOINT = "playlists.create_playlist"


def record_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """Observe one answered request (and, for a generation, its stage timings)."""
    REQUEST_SECONDS.labels(endpoint, method, str(status)).observe(seconds)


def record_generation(server_timing: str) -> None:
    """Observe the stages a generation reported in its Server-Timing header."""
    for stage, ms in _SERVER_TIMING.findall(server_timing):
        if stage != "total":
            GENERATION_STAGE_SECONDS.labels(stage).observe(float(ms) / 1000.0)


def record_spotify(endpoint: str, method: str, status: int | None, duration_ms: float) -> None:
    """Count one Spotify call."""
    SPOTIFY_CALLS.labels(endpoint, method, str(status) if status is not None else "none").inc()
    SPOTIFY_SECONDS.labels(endpoint).observe(duration_ms / 1000.0)


def _check_token() -> None:
    expected = str(current_app.config.get("METRICS_TOKEN") or "")
    if not expected:
        if current_app.config.get("ENV_NAME") == "production":
            raise NotFoundError("Metrics are off: set METRICS_TOKEN.")
        return
    given = request.headers.get("Authorization", "")
    if not secrets.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        raise UnauthorisedError(
            "Send Authorization: Bearer <METRICS_TOKEN>.", code="metrics_unauthorised"
        )


def metrics_view() -> Response:
    """Expose every metric in the Prometheus text format."""
    _check_token()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Serve /metrics (behind METRICS_TOKEN when set; off in production without one)."""
    app.add_url_rule("/metrics", "metrics", metrics_view)
