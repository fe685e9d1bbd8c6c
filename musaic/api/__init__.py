"""HTTP layer: blueprints parse and validate, call one service, and shape the response."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_openapi3 import OpenAPI

from musaic.api import (
    artists,
    auth,
    errors,
    exports,
    health,
    listener,
    matchers,
    pages,
    playlists,
    request_limits,
    schemas,
    search,
    tracks,
)

__all__ = ["errors", "init_app", "schemas"]

BLUEPRINTS = (
    health.bp,
    auth.bp,
    listener.bp,
    search.bp,
    tracks.bp,
    artists.bp,
    playlists.bp,
    exports.bp,
    matchers.bp,
)


def _openapi_document(app: OpenAPI) -> Any:
    return errors.document_errors(app.api_doc)


def init_app(app: OpenAPI) -> None:
    """Register the error handlers, every blueprint, and /openapi.json."""
    errors.init_app(app)
    request_limits.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_api(blueprint)
    app.register_blueprint(pages.bp)  # the listener's page: not part of the API document

    def openapi_json() -> ResponseReturnValue:
        return jsonify(_openapi_document(app))

    app.add_url_rule("/openapi.json", "openapi_json", openapi_json)
