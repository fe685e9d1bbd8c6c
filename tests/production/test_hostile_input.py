"""Hostile input from the production review: each reproducer is a clear 4xx, on both databases."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from musaic.api.request_limits import MAX_JSON_DEPTH
from musaic.api.schemas import DB_INT_MAX
from tests.catalog_world.standard import World, standard_world

TOO_BIG = [DB_INT_MAX + 1, 2**63]  # one past a PostgreSQL INTEGER, one past a SQLite INTEGER


@pytest.fixture
def world(app: Any) -> World:
    with app.app_context():
        return standard_world(with_index=False)


@pytest.fixture
def owner(client: FlaskClient, world: World) -> FlaskClient:
    """A session that already has a playlist (so ownership filters really run)."""
    response = client.post("/api/playlists", json={"seed": world.seed, "length": 5})
    assert response.status_code == 201, response.get_json()
    return client


def _field_error(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["field"] == field
    return dict(error)


def test_a_seed_beyond_the_id_column_is_a_400(owner: FlaskClient) -> None:
    for seed in TOO_BIG:
        error = _field_error(owner.post("/api/playlists", json={"seed": seed}), "seed")
        assert str(DB_INT_MAX) in error["message"]


def test_a_seed_string_of_digits_beyond_any_id_is_a_404(owner: FlaskClient) -> None:
    for seed in ("2147483648", "9999999999", "0"):
        response = owner.post("/api/playlists", json={"seed": seed})
        assert response.status_code == 404, seed
        assert response.get_json()["error"]["code"] == "seed_not_found"
    _field_error(owner.post("/api/playlists", json={"seed": "9" * 18}), "seed")


def test_an_offset_beyond_the_column_is_a_400(owner: FlaskClient) -> None:
    for offset in TOO_BIG:
        _field_error(owner.get(f"/api/playlists?offset={offset}"), "offset")
    assert owner.get(f"/api/playlists?offset={DB_INT_MAX}").get_json()["items"] == []


def test_a_playlist_id_beyond_the_column_is_a_400(owner: FlaskClient) -> None:
    for playlist_id in TOO_BIG:
        for method in ("get", "patch", "delete"):
            response = getattr(owner, method)(f"/api/playlists/{playlist_id}", json={"name": "x"})
            _field_error(response, "playlist_id")
    assert owner.get(f"/api/playlists/{DB_INT_MAX}").status_code == 404
    assert owner.get("/api/playlists").get_json()["total"] == 1


def test_a_track_id_beyond_the_column_is_a_404_or_a_400(owner: FlaskClient) -> None:
    for track_id in ("2147483648", "9999999999", "0"):  # reads as an id no row can have
        response = owner.get(f"/api/tracks/{track_id}")
        assert response.status_code == 404, track_id
        assert response.get_json()["error"]["code"] == "not_found"
    for track_id in ("99999999999", "999999999999999999", "9" * 30):  # longer than any id
        _field_error(owner.get(f"/api/tracks/{track_id}"), "id")
    assert owner.get(f"/api/tracks/{DB_INT_MAX}").status_code == 404


def test_integers_inside_the_body_are_bounded(owner: FlaskClient, world: World) -> None:
    for options, field in [
        ({"exclude_tracks": [2**63]}, "options.exclude_tracks.0"),
        ({"seed": 2**64}, "options.seed"),
    ]:
        response = owner.post("/api/playlists", json={"seed": world.seed, "options": options})
        _field_error(response, field)


def test_patch_lists_are_bounded(owner: FlaskClient) -> None:
    playlist_id = owner.get("/api/playlists").get_json()["items"][0]["id"]
    url = f"/api/playlists/{playlist_id}"
    _field_error(owner.patch(url, json={"remove_track_ids": [2**63]}), "remove_track_ids.0")
    _field_error(owner.patch(url, json={"order": [2**63]}), "order.0")


def test_deeply_nested_json_is_a_400(owner: FlaskClient) -> None:
    for depth in (MAX_JSON_DEPTH + 1, 1000, 100_000):
        for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
            response = owner.post("/api/playlists", data=body, content_type="application/json")
            assert response.status_code == 400
            error = response.get_json()["error"]
            assert error["code"] == "malformed_json"
            assert f"deeper than {MAX_JSON_DEPTH}" in error["message"]


def test_nesting_up_to_the_limit_is_still_read(owner: FlaskClient, world: World) -> None:
    nested: Any = 1
    for _ in range(MAX_JSON_DEPTH - 2):
        nested = [nested]
    body = {"seed": world.seed, "name": nested}
    response = owner.post("/api/playlists", json=body)
    _field_error(response, "name")  # parsed, then refused by the schema (a name is a string)


def test_a_body_over_the_size_limit_is_a_413_envelope(owner: FlaskClient) -> None:
    body = json.dumps({"seed": "x" * (1024 * 1024)})
    response = owner.post("/api/playlists", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_validation_errors_do_not_echo_large_input(owner: FlaskClient, world: World) -> None:
    key = "k" * 900_000
    body = {"seed": world.seed, key: 1, **{f"z{i}": 1 for i in range(50)}}
    response = owner.post("/api/playlists", json=body)
    assert response.status_code == 400
    assert len(response.get_data()) < 5_000
    details = response.get_json()["error"]["details"]
    assert details["error_count"] == 51
    assert len(details["errors"]) == 10
    fields = [error["field"] for error in details["errors"]]
    assert any(field.startswith("kkkk") for field in fields)
    assert all(len(field) <= 100 for field in fields)


def test_405_names_the_allowed_methods(client: FlaskClient) -> None:
    for method, path, allowed in [
        ("put", "/api/playlists", "GET, HEAD, OPTIONS, POST"),
        ("post", "/api/playlists/1", "DELETE, GET, HEAD, OPTIONS, PATCH"),
        ("delete", "/api/health", "GET, HEAD, OPTIONS"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 405
        assert response.headers["Allow"] == allowed
        assert response.get_json()["error"]["code"] == "method_not_allowed"
