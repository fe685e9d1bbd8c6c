"""/api/playlists over HTTP: validation, ownership, editing, and the response shape."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.catalog_world.standard import World, standard_world


@pytest.fixture
def world(app: Any) -> World:
    with app.app_context():
        return standard_world()


def _create(client: FlaskClient, world: World, **body: Any) -> Any:
    response = client.post("/api/playlists", json={"seed": world.seed, **body})
    assert response.status_code == 201, response.get_json()
    return response


def test_post_returns_the_playlist_with_reasons_and_server_timing(
    client: FlaskClient, world: World
) -> None:
    response = _create(client, world, length=10, options={"seed": 1})
    body = response.get_json()
    assert body["seed_track"]["id"] == world.seed
    assert body["matcher"] == "ranked"  # the default: the hybrid's order without a model
    assert len(body["items"]) == 10
    assert all(item["reasons"] and item["reasons"][0]["text"] for item in body["items"])
    track = body["items"][1]["track"]
    assert {"id", "title", "artists", "album", "year", "spotify_url"} <= set(track)
    timing = response.headers["Server-Timing"]
    for phase in ("total", "resolve", "match", "postprocess", "save"):
        assert f"{phase};dur=" in timing


def test_the_post_answer_is_what_a_later_get_reads_back(client: FlaskClient, world: World) -> None:
    created = _create(client, world, length=8, name="Kept").get_json()
    read = client.get(f"/api/playlists/{created['id']}").get_json()
    assert created == read  # answered from what was written, without reading it back
    assert created["name"] == "Kept" and created["options"]["length"] == 8
    assert all(item["track"]["artists"][0]["name"] for item in created["items"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"options": {"max_per_artist": 0}}, "options.max_per_artist"),
        ({"options": {"max_per_artist": "3"}}, "options.max_per_artist"),
        ({"options": {"year_min": 2000, "year_max": 1999}}, "options.year_max"),
        ({"options": {"popularity": "viral"}}, "options.popularity"),
        ({"options": {"exclude_tracks": list(range(501))}}, "options.exclude_tracks"),
        ({"options": {"shuffle": True}}, "options.shuffle"),
        ({"length": 4}, "length"),
        ({"matcher": "magic"}, "matcher"),
    ],
)
def test_bad_options_are_a_400_naming_the_field(
    client: FlaskClient, world: World, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/playlists", json={"seed": world.seed, **body})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == field


def test_unknown_seeds_are_404_or_422_when_login_would_help(
    client: FlaskClient, world: World
) -> None:
    missing = client.post("/api/playlists", json={"seed": 987654})
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "seed_not_found"
    outside = client.post("/api/playlists", json={"seed": "0123456789abcdefABCDEF"})
    assert outside.status_code == 422
    assert "log in with Spotify" in outside.get_json()["error"]["message"]


def test_history_is_per_session_and_other_listeners_get_404(app: Any, world: World) -> None:
    ada, bo = app.test_client(), app.test_client()
    created = _create(ada, world).get_json()
    assert ada.get("/api/playlists").get_json()["total"] == 1
    assert bo.get("/api/playlists").get_json()["total"] == 0
    assert bo.get(f"/api/playlists/{created['id']}").status_code == 404
    assert bo.delete(f"/api/playlists/{created['id']}").status_code == 404
    assert ada.get(f"/api/playlists/{created['id']}").get_json()["id"] == created["id"]


def test_patch_renames_removes_and_reorders(client: FlaskClient, world: World) -> None:
    created = _create(client, world, length=5).get_json()
    ids = [i["track"]["id"] for i in created["items"]]
    response = client.patch(
        f"/api/playlists/{created['id']}",
        json={"name": "Evening", "remove_track_ids": [ids[0]], "order": [3, 2, 1, 0]},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Evening"
    assert [i["track"]["id"] for i in body["items"]] == list(reversed(ids[1:]))


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"order": [0, 1, 1, 2, 3]}, "order"),
        ({"remove_track_ids": [424242]}, "remove_track_ids"),
        ({"name": ""}, "name"),
    ],
)
def test_patch_validation_names_the_field(
    client: FlaskClient, world: World, patch: dict[str, Any], field: str
) -> None:
    created = _create(client, world, length=5).get_json()
    response = client.patch(f"/api/playlists/{created['id']}", json=patch)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == field


def test_delete_then_get_is_404(client: FlaskClient, world: World) -> None:
    created = _create(client, world).get_json()
    assert client.delete(f"/api/playlists/{created['id']}").status_code == 204
    assert client.get(f"/api/playlists/{created['id']}").status_code == 404


def test_openapi_documents_the_playlist_endpoints(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/playlists"])
    assert {"get", "patch", "delete"} <= set(paths["/api/playlists/{playlist_id}"])
