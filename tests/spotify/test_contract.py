"""Every answer of the stand-in, and every call of the client, against Spotify's OpenAPI file."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests
from openapi_core.validation.request.exceptions import InvalidParameter

from musaic.spotify import SpotifyClient
from tests.spotify.openapi_contract import (
    dev_mode_overlay,
    operation_for,
    spec_document,
    validate_error_body,
    validate_request,
    validate_response,
)
from tests.spotify_standin import IssuedTokens, SpotifyStandIn

DEV_MODE_ABSENT = {"popularity", "followers", "available_markets", "genres"}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


class Caller:
    """Send raw HTTP to the stand-in and check each answer against the spec."""

    def __init__(self, standin: SpotifyStandIn, tokens: IssuedTokens) -> None:
        self.standin = standin
        self.headers = {"Authorization": f"Bearer {tokens.access_token}"}

    def __call__(
        self, method: str, path: str, query: dict[str, str] | None = None, body: Any = None
    ) -> requests.Response:
        url = self.standin.base_url + path
        answer = requests.request(method, url, params=query, json=body, headers=self.headers)
        data = answer.json()
        validate_response(method, path, query or {}, answer.status_code, data, dict(answer.headers))
        assert not _keys(data) & DEV_MODE_ABSENT
        return answer


@pytest.fixture
def call(standin: SpotifyStandIn, tokens: IssuedTokens) -> Caller:
    """Return a spec-checking raw HTTP caller."""
    return Caller(standin, tokens)


def test_catalog_answers_match_the_spec(
    call: Caller, standin: SpotifyStandIn, track_id: str
) -> None:
    row = standin.catalog.tracks[track_id]
    found = call("GET", "/v1/search", {"q": row.name, "type": "track", "limit": "10"}).json()
    assert track_id in [t["id"] for t in found["tracks"]["items"]]
    assert call("GET", f"/v1/tracks/{track_id}").json()["external_ids"]["isrc"] == row.isrc
    assert call("GET", f"/v1/artists/{row.artist_id}").json()["id"] == row.artist_id
    albums = call("GET", f"/v1/artists/{row.artist_id}/albums", {"limit": "10"}).json()
    assert row.album_id in [a["id"] for a in albums["items"]]
    assert call("GET", f"/v1/albums/{row.album_id}").json()["tracks"]["total"] >= 3
    page = call("GET", f"/v1/albums/{row.album_id}/tracks", {"limit": "2", "offset": "1"}).json()
    assert (page["limit"], page["offset"], len(page["items"])) == (2, 1, 2)


def test_listener_answers_match_the_spec(call: Caller, standin: SpotifyStandIn) -> None:
    assert call("GET", "/v1/me").json()["account_id"] == standin.users[0].account_id
    assert len(call("GET", "/v1/me/top/tracks", {"limit": "5"}).json()["items"]) == 5
    played = call("GET", "/v1/me/player/recently-played", {"limit": "3"}).json()
    assert len(played["items"]) == 3 and played["next"]


def test_playlist_answers_match_the_spec(call: Caller, standin: SpotifyStandIn) -> None:
    uris = [f"spotify:track:{t}" for t in list(standin.catalog.tracks)[:3]]
    created = call("POST", "/v1/me/playlists", body={"name": "Contract", "public": False})
    assert created.status_code == 201
    items = f"/v1/playlists/{created.json()['id']}/items"
    assert call("POST", items, body={"uris": uris[:2]}).status_code == 201
    assert call("PUT", items, body={"uris": uris}).json()["snapshot_id"]
    assert [e["item"]["uri"] for e in call("GET", items).json()["items"]] == uris
    assert call("DELETE", items, body={"items": [{"uri": uris[0]}]}).status_code == 200
    listed = call("GET", "/v1/me/playlists").json()
    assert listed["items"][0]["items"]["total"] == 2


def test_playlist_details_answers_match_the_spec(
    call: Caller, standin: SpotifyStandIn, tokens: IssuedTokens
) -> None:
    created = call("POST", "/v1/me/playlists", body={"name": "Before", "public": False}).json()
    one = f"/v1/playlists/{created['id']}"
    details = {"name": "After", "description": "new words", "public": True}
    changed = requests.put(standin.base_url + one, json=details, headers=call.headers)
    assert changed.status_code == 200 and not changed.content
    shown = call("GET", one).json()
    assert (shown["name"], shown["description"], shown["public"]) == ("After", "new words", True)
    assert shown["snapshot_id"] != created["snapshot_id"]
    other = standin.accounts.issue_tokens(standin.users[1].account_id)
    call.headers = {"Authorization": f"Bearer {other.access_token}"}
    assert call("GET", one).status_code == 403
    assert call("POST", f"{one}/items", body={"uris": []}).status_code == 403
    mine = {"Authorization": f"Bearer {tokens.access_token}"}
    too_many = [f"spotify:track:{t}" for t in list(standin.catalog.tracks)[:101]]
    for method in ("PUT", "POST"):
        refused = requests.request(
            method, f"{standin.base_url}{one}/items", json={"uris": too_many}, headers=mine
        )
        assert refused.status_code == 400
        validate_error_body(refused.json())
    missing = requests.get(standin.base_url + "/v1/playlists/nope", headers=call.headers)
    assert missing.status_code == 404  # the spec lists no 404 here: check the envelope only
    validate_error_body(missing.json())


def test_rate_limit_quota_and_auth_errors_match_the_spec(
    call: Caller, standin: SpotifyStandIn
) -> None:
    standin.faults.rate_limited(retry_after=3)
    limited = call("GET", "/v1/me")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    standin.faults.quota_exceeded()
    assert call("GET", "/v1/me").json()["error"]["reason"] == "QUOTA_EXCEEDED"
    call.headers = {"Authorization": "Bearer not-a-token"}
    assert call("GET", "/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/search", {"q": "love", "type": "track", "limit": "11"}),
        ("/v1/artists/x/albums", {"limit": "11"}),
    ],
)
def test_a_limit_above_10_is_a_400_that_the_spec_also_forbids(
    standin: SpotifyStandIn, tokens: IssuedTokens, path: str, query: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens.access_token}"}
    answer = requests.get(standin.base_url + path, params=query, headers=headers)
    assert answer.status_code == 400
    assert answer.json() == {"error": {"status": 400, "message": "Invalid limit"}}
    validate_error_body(answer.json())
    with pytest.raises(InvalidParameter, match="limit"):
        validate_request(standin.requests[-1])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/artists/x/top-tracks"),
        ("GET", "/v1/artists/x/related-artists"),
        ("GET", "/v1/recommendations"),
        ("GET", "/v1/audio-features/x"),
        ("GET", "/v1/tracks"),
        ("GET", "/v1/artists"),
        ("GET", "/v1/albums"),
        ("GET", "/v1/users/x/playlists"),
        ("POST", "/v1/users/x/playlists"),
        ("GET", "/v1/playlists/x/tracks"),
        ("POST", "/v1/playlists/x/tracks"),
    ],
)
def test_removed_endpoints_are_refused_and_deprecated_in_the_spec(
    standin: SpotifyStandIn, tokens: IssuedTokens, method: str, path: str
) -> None:
    headers = {"Authorization": f"Bearer {tokens.access_token}"}
    answer = requests.request(
        method, standin.base_url + path, params={"ids": "a,b"}, headers=headers
    )
    assert answer.status_code in (403, 404)
    validate_error_body(answer.json())
    operation = operation_for(method, path)
    assert operation is not None and operation.deprecated


def test_the_overlay_only_unrequires_deprecated_fields_and_copies_the_spec() -> None:
    published = {
        "components": {
            "schemas": {
                "Thing": {
                    "properties": {"name": {"type": "string"}, "old": {"deprecated": True}},
                    "required": ["name", "old"],
                },
                "Old": {"properties": {"gone": {"deprecated": True}}, "required": ["gone"]},
            }
        }
    }
    untouched = copy.deepcopy(published)
    overlay = dev_mode_overlay(published)
    assert overlay["components"]["schemas"]["Thing"]["required"] == ["name"]
    assert "required" not in overlay["components"]["schemas"]["Old"]
    assert published == untouched
    album_base = spec_document()["components"]["schemas"]["AlbumBase"]
    assert "available_markets" not in album_base["required"] and "name" in album_base["required"]


def test_the_client_calls_only_operations_a_dev_mode_app_may_use(
    client: SpotifyClient, standin: SpotifyStandIn, track_id: str
) -> None:
    row = standin.catalog.tracks[track_id]
    client.search_tracks_up_to(row.name, 12)
    client.get_track(track_id)
    client.get_artist(row.artist_id)
    client.get_artist_albums(row.artist_id, limit=10)
    client.get_album(row.album_id)
    client.get_album_tracks(row.album_id)
    client.get_me()
    client.get_my_top_tracks(limit=50)
    client.get_recently_played(limit=50)
    playlist = client.create_playlist("Contract", description="checked", public=False)
    uris = [f"spotify:track:{t}" for t in list(standin.catalog.tracks)[:120]]
    client.replace_playlist_items(playlist.spotify_id, uris)
    client.add_playlist_items(playlist.spotify_id, uris[:1], position=0)
    client.remove_playlist_items(playlist.spotify_id, uris[:2])
    client.get_playlist_items(playlist.spotify_id, limit=50)
    client.get_my_playlists(limit=50)
    client.change_playlist_details(
        playlist.spotify_id, name="Renamed", description="checked again", public=True
    )
    used = set()
    for recorded in standin.requests:
        operation = operation_for(recorded.method, recorded.path)
        assert operation is not None, f"{recorded.method} {recorded.path} is not in the spec"
        assert not operation.deprecated, f"{operation.operation_id} is deprecated"
        validate_request(recorded)
        used.add(operation.operation_id)
    assert len(used) == 16
