"""Musaic: make a playlist from one seed track, explain it, and save it to Spotify."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask_openapi3 import Info, OpenAPI

from musaic import config as config_module

__version__ = "0.1.0"


def create_app(
    config: str | Mapping[str, Any] | None = None,
    *,
    spotify_factory: Callable[..., Any] | None = None,
    **overrides: Any,
) -> OpenAPI:
    """Build the Musaic app from a profile name or a settings mapping, plus overrides."""
    from musaic import api, extensions, limits, metrics, models, observability, security, sessions

    settings = (
        config_module.load_config(config)
        if config is None or isinstance(config, str)
        else {**config_module.load_config("development"), **config}
    )
    settings.update(overrides)
    config_module.validate(settings)

    app = OpenAPI(
        __name__,
        info=Info(title="Musaic API", version=__version__),
        security_schemes={
            "session": {"type": "apiKey", "in": "cookie", "name": settings["SESSION_COOKIE_NAME"]}
        },
        doc_prefix="/docs",
        doc_ui=_docs_enabled(settings),
        doc_url="/openapi.json",
        validation_error_status=400,
        validation_error_model=api.schemas.ErrorEnvelope,
        validation_error_callback=api.errors.validation_error_response,
    )
    app.config.from_mapping(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.extensions["musaic.spotify_factory"] = spotify_factory
    app.extensions["musaic.spotify_guard"] = _spotify_guard(app.config)

    observability.init_app(app)
    security.init_app(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
    )
    sessions.init_app(app)
    if app.config["CORS_ORIGINS"]:
        extensions.cors.init_app(app, origins=app.config["CORS_ORIGINS"], supports_credentials=True)
    api.init_app(app)
    metrics.init_app(app)
    limits.init_app(app)
    assert models.__all__  # every table is registered before migrations or create_all run
    return app


def _docs_enabled(settings: Mapping[str, Any]) -> bool:
    """Serve /docs outside production, and in production only with API_DOCS=1."""
    return settings.get("ENV_NAME") != "production" or bool(settings.get("API_DOCS"))


def _spotify_guard(config: Mapping[str, Any]) -> Any:
    """Build the Spotify budget, quota wall and search cache shared through Redis."""
    from musaic.extensions import redis_connection
    from musaic.spotify.guard import SpotifyGuard

    store = redis_connection(config, timeout=0.5) if config.get("REDIS_URL") else None
    return SpotifyGuard(
        store,
        daily_budget=int(config.get("SPOTIFY_DAILY_CALL_BUDGET") or 0),
        search_ttl=int(config.get("SPOTIFY_SEARCH_CACHE_SECONDS") or 0),
        prefix=f"{config.get('SESSION_KEY_PREFIX') or 'musaic:'}spotify:",
    )
