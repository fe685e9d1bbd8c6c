"""The stand-in itself: deterministic invented ids, row limits, auth and the request log."""

from __future__ import annotations

import requests

from tests.spotify_standin import DEFAULT_CSV, Catalog, SpotifyStandIn
from tests.spotify_standin.catalog import artist_id_for, isrc_for
from tests.spotify_standin.faults import Fault


def test_invented_artist_ids_and_isrcs_are_deterministic_and_well_formed() -> None:
    assert artist_id_for("Ed Sheeran") == artist_id_for("Ed Sheeran") != artist_id_for("Adele")
    assert len(artist_id_for("Ed Sheeran")) == 22 and artist_id_for("Ed Sheeran").isalnum()
    isrc = isrc_for("6f807x0ima9a1j3VPbc7VN", "2019-06-14")
    assert isrc == isrc_for("6f807x0ima9a1j3VPbc7VN", "2019-06-14")
    assert len(isrc) == 12 and isrc.startswith("XXMSC19")


def test_the_row_limit_bounds_the_catalog(spotify_standin: SpotifyStandIn) -> None:
    small = Catalog.from_csv(DEFAULT_CSV, row_limit=50)
    assert 0 < len(small.tracks) <= 50
    assert set(small.tracks) <= set(spotify_standin.catalog.tracks)


def test_web_api_calls_without_a_token_get_401_and_are_recorded(standin: SpotifyStandIn) -> None:
    answer = requests.get(f"{standin.api_base_url}/me", params={"x": "1"})
    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "No token provided"}}
    assert [(r.method, r.path, r.query) for r in standin.requests] == [
        ("GET", "/v1/me", {"x": "1"})
    ]


def test_a_stopped_stand_in_frees_its_port() -> None:
    standin = SpotifyStandIn(catalog=Catalog()).start()
    url = standin.api_base_url
    standin.stop()
    try:
        requests.get(f"{url}/me", timeout=1)
    except requests.ConnectionError:
        refused = True
    else:
        refused = False
    assert refused


def test_a_fault_can_hit_the_nth_call_to_one_endpoint_only(standin: SpotifyStandIn) -> None:
    headers = {"Authorization": f"Bearer {standin.accounts.issue_tokens().access_token}"}
    standin.faults.on("GET", "/v1/me", Fault.quota(retry_after=90), nth=2, times=2)
    statuses = [
        requests.get(f"{standin.api_base_url}/me", headers=headers).status_code for _ in range(4)
    ]
    assert statuses == [200, 429, 429, 200]
    assert requests.get(f"{standin.api_base_url}/me/top/tracks", headers=headers).ok
    standin.faults.on("POST", "/v1/me/playlists", Fault(drop=True))
    dropped = False
    try:
        requests.post(f"{standin.api_base_url}/me/playlists", json={"name": "x"}, headers=headers)
    except requests.ConnectionError:
        dropped = True
    assert dropped and standin.web_api is not None and standin.web_api.playlists == {}
    assert standin.faults.pending == 0
