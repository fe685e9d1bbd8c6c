"""Saving playlists to Spotify: call budget, update in place, and every failure on the way."""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, update

from musaic.extensions import db
from musaic.models import Playlist, PlaylistExport, Track
from musaic.services.export import export_to_spotify
from musaic.services.export_details import ExportRequest, clean_text, with_marker
from musaic.services.export_state import ExportInProgressError
from musaic.services.listener import Listener
from musaic.services.tracks import write_spotify_records
from musaic.spotify import (
    SpotifyClient,
    SpotifyQuotaExceededError,
    SpotifyRateLimitedError,
    SpotifyUnavailableError,
)
from tests.catalog_world.builder import add_generated_playlist, add_user
from tests.catalog_world.standin import playlist_of_standin_tracks, standin_records
from tests.spotify.openapi_contract import operation_for
from tests.spotify_standin.faults import Fault

ITEMS = r"/v1/playlists/[^/]+/items"
pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def spotify(standin: Any) -> SpotifyClient:
    """A real client for the stand-in's first user that never really sleeps."""
    tokens = standin.accounts.issue_tokens()
    return SpotifyClient(
        standin.api_base_url, lambda: tokens.access_token, sleep=lambda _: None, read_timeout=1.0
    )


@pytest.fixture
def listener() -> Listener:
    return Listener(user_id=add_user())


def _export(playlist_id: int, listener: Listener, spotify: SpotifyClient, **request: Any) -> Any:
    return export_to_spotify(playlist_id, listener, spotify, ExportRequest(**request))


def _uris(standin: Any, track_ids: list[int]) -> list[str]:
    rows = {t.id: t.spotify_id for t in db.session.scalars(select(Track))}
    return [f"spotify:track:{rows[i]}" for i in track_ids]


def _web_api_calls(standin: Any) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in standin.requests if r.path.startswith("/v1/")]


def _only_playlist(standin: Any) -> Any:
    playlists = standin.web_api.owned_by("acc-ada")
    assert len(playlists) == 1
    return playlists[0]


@pytest.mark.parametrize("count", [30, 150])
def test_first_export_makes_one_create_and_one_write_per_100_tracks(
    standin: Any, spotify: SpotifyClient, listener: Listener, count: int
) -> None:
    playlist_id, track_ids = playlist_of_standin_tracks(standin, count, listener.user_id or 0)
    standin.reset()
    result = _export(playlist_id, listener, spotify)
    calls = _web_api_calls(standin)
    assert len(calls) == 1 + math.ceil(count / 100) <= 2 + math.ceil(count / 100)
    assert calls[0] == ("POST", "/v1/me/playlists")
    assert [m for m, _ in calls[1:]] == ["PUT"] + ["POST"] * (math.ceil(count / 100) - 1)
    stored = _only_playlist(standin)
    assert stored.items == _uris(standin, track_ids) and stored.public is False
    assert (result.created, result.written, result.spotify_id) == (True, count, stored.spotify_id)
    assert result.snapshot_id == stored.snapshot_id
    assert db.session.get(Playlist, playlist_id).spotify_playlist_id == stored.spotify_id


def test_a_later_export_updates_the_same_playlist_and_only_changed_details(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, _track_ids = playlist_of_standin_tracks(standin, 30, listener.user_id or 0)
    first = _export(playlist_id, listener, spotify)
    standin.reset_log()
    again = _export(playlist_id, listener, spotify)
    assert _web_api_calls(standin) == [("PUT", f"/v1/playlists/{first.spotify_id}/items")]
    assert (again.created, again.spotify_id) == (False, first.spotify_id)
    standin.reset_log()
    renamed = _export(playlist_id, listener, spotify, name="Renamed <b>mix</b>", public=True)
    assert [m for m, _ in _web_api_calls(standin)] == ["PUT", "PUT"]
    stored = _only_playlist(standin)
    assert (stored.name, stored.public, renamed.created) == ("Renamed mix", True, False)


def test_a_deleted_spotify_playlist_is_replaced_and_the_response_says_so(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, _ = playlist_of_standin_tracks(standin, 12, listener.user_id or 0)
    first = _export(playlist_id, listener, spotify)
    standin.web_api.playlists.clear()  # the listener deleted it in Spotify
    again = _export(playlist_id, listener, spotify)
    assert again.created and again.spotify_id != first.spotify_id and again.notes
    assert _only_playlist(standin).spotify_id == again.spotify_id


def test_a_failed_items_write_resumes_with_the_stored_playlist(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, track_ids = playlist_of_standin_tracks(standin, 130, listener.user_id or 0)
    standin.faults.on("PUT", ITEMS, Fault.server_error(502), times=3)
    with pytest.raises(SpotifyUnavailableError):
        _export(playlist_id, listener, spotify)
    assert db.session.get(PlaylistExport, playlist_id).state == "created"
    standin.faults.on("POST", ITEMS, Fault(drop=True))
    with pytest.raises(SpotifyUnavailableError):  # a POST with no answer is never resent
        _export(playlist_id, listener, spotify)
    result = _export(playlist_id, listener, spotify)
    assert _only_playlist(standin).items == _uris(standin, track_ids)
    assert result.created and result.written == 130
    creates = [c for c in _web_api_calls(standin) if c == ("POST", "/v1/me/playlists")]
    assert len(creates) == 1


def test_a_create_that_timed_out_is_found_by_its_marker_not_made_again(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, track_ids = playlist_of_standin_tracks(standin, 8, listener.user_id or 0)
    standin.faults.on("POST", "/v1/me/playlists", Fault(delay=1.5))
    with pytest.raises(SpotifyUnavailableError):
        _export(playlist_id, listener, spotify)
    deadline = time.monotonic() + 5
    while not standin.web_api.playlists and time.monotonic() < deadline:
        time.sleep(0.05)  # the slow answer still creates the playlist after the client gave up
    standin.reset_log()
    result = _export(playlist_id, listener, spotify)
    assert [m for m, _ in _web_api_calls(standin)] == ["GET", "PUT"]
    assert _only_playlist(standin).items == _uris(standin, track_ids)
    assert result.created


def test_quota_exceeded_during_the_write_fails_with_retry_after_then_completes(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, track_ids = playlist_of_standin_tracks(standin, 20, listener.user_id or 0)
    standin.faults.on("PUT", ITEMS, Fault.quota(retry_after=7200))
    with pytest.raises(SpotifyQuotaExceededError) as failure:
        _export(playlist_id, listener, spotify)
    assert failure.value.headers["Retry-After"] == "7200"
    standin.faults.on("PUT", ITEMS, Fault.rate_limit(retry_after=60))
    with pytest.raises(SpotifyRateLimitedError):
        _export(playlist_id, listener, spotify)
    standin.faults.on("PUT", ITEMS, Fault.rate_limit(retry_after=1))  # short: waited for
    result = _export(playlist_id, listener, spotify)
    assert result.created and _only_playlist(standin).items == _uris(standin, track_ids)


def test_tracks_without_ids_are_resolved_once_then_cost_nothing(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    records = standin_records(standin, 3, with_ids=False)
    records[2].duration_ms = (records[2].duration_ms or 0) + 30_000  # a different take
    records[0].isrc = next(iter(standin.catalog.tracks.values())).isrc
    track_ids = write_spotify_records(records)
    db.session.commit()
    playlist_id = add_generated_playlist(track_ids, listener.user_id or 0)
    standin.reset_log()
    result = _export(playlist_id, listener, spotify)
    searches = [r for r in standin.requests if r.path == "/v1/search"]
    assert len(searches) == 3 and all(int(r.query["limit"]) <= 10 for r in searches)
    assert searches[0].query["q"] == f"isrc:{records[0].isrc}"
    assert (
        searches[1].query["q"]
        == f'track:"{records[1].title}" artist:"{records[1].artists[0].name}"'
    )
    assert result.written == 2
    assert [u["track_id"] for u in _unresolved(result)] == [track_ids[2]]
    known = db.session.scalars(select(Track.spotify_id).where(Track.id.in_(track_ids[:2])))
    assert all(known)
    standin.reset_log()
    _export(playlist_id, listener, spotify)
    assert len([r for r in standin.requests if r.path == "/v1/search"]) == 1


def _unresolved(result: Any) -> list[dict[str, Any]]:
    from musaic.services.export_tracks import unresolved_out

    return unresolved_out(result.unresolved)


def test_resolution_stops_at_the_budget_and_reports_the_rest(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    track_ids = write_spotify_records(standin_records(standin, 4, with_ids=False))
    db.session.commit()
    playlist_id = add_generated_playlist(track_ids, listener.user_id or 0)
    standin.reset_log()
    result = export_to_spotify(playlist_id, listener, spotify, ExportRequest(), resolve_budget=1)
    assert len([r for r in standin.requests if r.path == "/v1/search"]) == 1
    assert result.written == 1 and len(result.unresolved) == 3


def test_a_second_attempt_while_one_is_in_flight_is_refused(
    app: Any, standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, _ = playlist_of_standin_tracks(standin, 10, listener.user_id or 0)
    standin.faults.on("POST", "/v1/me/playlists", Fault(delay=0.6))
    outcomes: list[Any] = []

    def attempt() -> None:
        with app.app_context():
            try:
                outcomes.append(_export(playlist_id, listener, spotify).created)
            except ExportInProgressError as exc:
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=20)
    assert outcomes.count(True) == 1
    refused = [o for o in outcomes if isinstance(o, ExportInProgressError)]
    assert len(refused) == 2 and all(int(e.headers["Retry-After"]) >= 1 for e in refused)
    assert len(standin.web_api.owned_by("acc-ada")) == 1


def test_a_claim_left_by_a_crashed_attempt_lapses(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, _ = playlist_of_standin_tracks(standin, 5, listener.user_id or 0)
    _export(playlist_id, listener, spotify)
    from datetime import UTC, datetime, timedelta

    db.session.execute(
        update(PlaylistExport).values(lease_until=datetime.now(UTC) + timedelta(seconds=30))
    )
    db.session.commit()
    with pytest.raises(ExportInProgressError):
        _export(playlist_id, listener, spotify)
    db.session.execute(
        update(PlaylistExport).values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()
    assert _export(playlist_id, listener, spotify).created is False


def test_no_export_ever_calls_a_removed_endpoint(
    standin: Any, spotify: SpotifyClient, listener: Listener
) -> None:
    playlist_id, _ = playlist_of_standin_tracks(standin, 3, listener.user_id or 0)
    standin.reset_log()
    _export(playlist_id, listener, spotify)
    _export(playlist_id, listener, spotify, name="Again")
    standin.web_api.playlists.clear()
    _export(playlist_id, listener, spotify)
    for recorded in standin.requests:
        operation = operation_for(recorded.method, recorded.path)
        assert operation is not None and not operation.deprecated, recorded.path


def test_names_and_descriptions_lose_html_and_control_characters() -> None:
    assert clean_text("<script>x</script>Chill\x00 \u200b&amp; <i>calm</i>\n", 100) == (
        "x Chill & calm"
    )
    assert clean_text("a" * 150, 100) == "a" * 100
    marked = with_marker("d" * 300, "musaic:abc")
    assert len(marked) <= 300 and marked.endswith("[musaic:abc]")
