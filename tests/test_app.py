"""The app factory, the error envelope, request ids, health and readiness, OpenAPI."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask, request
from openapi_spec_validator import validate

from musaic import create_app
from musaic.errors import ConflictError


def test_health_answers_without_touching_database(tmp_path: Any) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_checks_the_database(client: Any, backend: str) -> None:
    body = client.get("/api/ready").get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok"
    if backend == "postgres":
        assert body["checks"]["redis"] == "ok"


def test_ready_names_the_failed_dependency(tmp_path: Any) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/api/ready")
    assert response.status_code == 503
    assert response.get_json()["error"]["details"]["dependency"] == "database"


def test_ready_reports_redis_down(sqlite_url: str, tmp_path: Any) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/api/ready")
    assert response.status_code == 503
    assert response.get_json()["error"]["details"]["dependency"] == "redis"


def test_unknown_path_gets_the_json_envelope(client: Any) -> None:
    response = client.get("/api/nope", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.content_type == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert error["request_id"] == "abc-123"
    assert response.headers["X-Request-ID"] == "abc-123"


def test_wrong_method_is_405_with_allowed_methods(client: Any) -> None:
    response = client.delete("/api/health")
    assert response.status_code == 405
    assert response.get_json()["error"]["details"]["allowed_methods"] == ["GET", "HEAD", "OPTIONS"]


def test_unsafe_request_id_is_replaced(client: Any) -> None:
    response = client.get("/api/health", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 32


def _add_route(app: Flask, rule: str, view: Any, methods: list[str] | None = None) -> None:
    app.add_url_rule(rule, view.__name__, view, methods=methods or ["GET"])


def test_crash_is_500_envelope_without_traceback(app: Any, caplog: Any) -> None:
    def explode() -> str:
        raise RuntimeError("secret internals")

    _add_route(app, "/api/explode", explode)
    response = app.test_client().get("/api/explode")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret internals" not in response.get_data(as_text=True)


def test_musaic_error_keeps_its_status_and_code(app: Any) -> None:
    def conflict() -> str:
        raise ConflictError("already exported", details={"playlist_id": 3})

    _add_route(app, "/api/conflict", conflict)
    response = app.test_client().get("/api/conflict")
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "conflict",
        "message": "already exported",
        "details": {"playlist_id": 3},
        "request_id": response.headers["X-Request-ID"],
    }


def test_oversized_body_is_413_envelope(app: Any) -> None:
    def echo() -> dict[str, int]:
        return {"size": len(request.get_data())}

    _add_route(app, "/api/echo", echo, ["POST"])
    client = app.test_client()
    assert client.post("/api/echo", data=b"x" * 10).get_json() == {"size": 10}
    response = client.post("/api/echo", data=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_access_log_is_json_with_request_fields(client: Any, capsys: Any) -> None:
    client.get("/api/health", headers={"X-Request-ID": "log-check-1"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    entry = next(line for line in lines if line.get("request_id") == "log-check-1")
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/health"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0
    assert logging.getLogger("musaic").propagate is False


def test_openapi_document_is_valid_openapi_3(client: Any) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    validate(document)
    assert "/api/health" in document["paths"]


def test_docs_page_is_served(client: Any) -> None:
    response = client.get("/docs/")
    assert response.status_code == 200
    assert b"<html" in response.data.lower()


@pytest.mark.parametrize(
    "origin, allowed", [("http://127.0.0.1:5173", True), ("https://evil.example", False)]
)
def test_cors_allows_only_configured_origins(sqlite_url: str, origin: str, allowed: bool) -> None:
    app = create_app(
        "test", SQLALCHEMY_DATABASE_URI=sqlite_url, CORS_ORIGINS=["http://127.0.0.1:5173"]
    )
    response = app.test_client().get("/api/health", headers={"Origin": origin})
    assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed
    if allowed:
        assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("body", [b'{"seed": ', b"not json at all", b'{"seed": 1,}'])
def test_malformed_json_body_is_a_400_envelope(client: Any, body: bytes) -> None:
    response = client.post("/api/playlists", data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "malformed_json"
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_a_json_body_of_the_wrong_shape_names_the_field(client: Any) -> None:
    response = client.post("/api/playlists", json={"seed": "1", "length": 1000})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == "length"
