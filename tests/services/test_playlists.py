"""Playlist use cases: generate (catalog and Spotify seeds), list, get, update, delete."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from musaic.errors import NotFoundError, UnprocessableError, ValidationError
from musaic.extensions import db
from musaic.matching.postprocess import Options
from musaic.models import Track
from musaic.services import playlists
from musaic.services.listener import Listener
from musaic.services.playlists import GenerateRequest
from musaic.services.seeds import SPOTIFY_CALL_BUDGET
from musaic.spotify import SpotifyClient
from tests.catalog_world.standard import World, standard_world
from tests.spotify_standin import SpotifyStandIn

pytestmark = pytest.mark.usefixtures("app_context")
ADA = Listener(user_id=None, history_key="ada-history")
BO = Listener(user_id=None, history_key="bo-history")


@pytest.fixture(scope="module")
def standin() -> Iterator[SpotifyStandIn]:
    with SpotifyStandIn(row_limit=300) as server:
        yield server


@pytest.fixture
def spotify(standin: SpotifyStandIn) -> SpotifyClient:
    standin.reset()
    token = standin.accounts.issue_tokens().access_token
    return SpotifyClient(standin.api_base_url, lambda: token, read_timeout=2.0)


@pytest.fixture
def world() -> World:
    return standard_world()


def _generate(seed: int | str, listener: Listener = ADA, **kwargs: object) -> playlists.Playlist:
    request = GenerateRequest(seed=seed, **kwargs)  # type: ignore[arg-type]
    return playlists.generate_playlist(request, listener)[0]


def test_generate_from_a_catalog_seed_makes_no_spotify_call(
    world: World, spotify: SpotifyClient, standin: SpotifyStandIn
) -> None:
    request = GenerateRequest(seed=world.seed, length=10)
    playlist, generated = playlists.generate_playlist(request, ADA, spotify=spotify)
    assert generated.spotify_calls == 0
    assert standin.requests == []
    assert playlist.items[0].track_id == world.seed
    assert len(playlist.items) == 10
    assert all(item.reasons for item in playlist.items)
    assert set(generated.timings) == {"resolve", "match", "postprocess", "save"}


def test_generated_tracks_show_explicit_as_a_boolean_as_the_orm_does(world: World) -> None:
    playlist = _generate(world.seed, length=10)
    db.session.execute(Track.__table__.update().values(explicit=True))  # every track explicit
    shown = playlists.generate_playlist(GenerateRequest(seed=world.seed, length=10), ADA)[0]
    assert {type(item.track.explicit) for item in shown.items} == {bool}
    assert all(item.track.explicit is True for item in shown.items)
    assert {item.track.explicit for item in playlist.items} <= {None, False, True}
    skipped = _generate(world.seed, length=10, options=Options(exclude_explicit=True))
    assert [item.track_id for item in skipped.items] == [world.seed]  # the seed is always kept


def test_generate_imports_an_unknown_spotify_seed_within_the_call_budget(
    spotify: SpotifyClient, standin: SpotifyStandIn
) -> None:
    spotify_id = next(iter(standin.catalog.tracks))
    url = f"https://open.spotify.com/track/{spotify_id}?si=abc"
    request = GenerateRequest(seed=url, length=5)
    playlist, generated = playlists.generate_playlist(
        request, Listener(user_id=None, history_key="k"), spotify=spotify
    )
    assert 1 <= generated.spotify_calls <= SPOTIFY_CALL_BUDGET
    assert len(standin.requests) == generated.spotify_calls
    seed = db.session.get(Track, playlist.seed_track_id)
    assert seed is not None and seed.spotify_id == spotify_id
    assert playlist.items[0].track_id == seed.id


def test_unknown_spotify_seed_without_login_asks_the_listener_to_log_in(world: World) -> None:
    with pytest.raises(UnprocessableError, match="log in with Spotify"):
        _generate("spotify:track:0123456789abcdefABCDEF")


def test_unknown_seeds_are_not_found(world: World) -> None:
    with pytest.raises(NotFoundError) as caught:
        _generate(999_999)
    assert caught.value.code == "seed_not_found"
    logged_in = Listener(user_id=None, history_key="x")
    with pytest.raises(NotFoundError):
        playlists.generate_playlist(
            GenerateRequest(seed="0123456789abcdefABCDEF"), Listener(7, None)
        )
    with pytest.raises(ValidationError) as bad:
        _generate("not a seed", logged_in)
    assert bad.value.details["field"] == "seed"


def test_generate_is_reproducible_with_a_seed(world: World) -> None:
    def ids(seed: int) -> list[int]:
        playlist = _generate(world.seed, length=15, options=Options(seed=seed))
        return [i.track_id for i in playlist.items]

    assert ids(3) == ids(3)


def test_generate_returns_what_there_is_with_a_note_when_short(world: World) -> None:
    request = GenerateRequest(seed=world.seed, length=100, options=Options(max_per_artist=1))
    playlist, generated = playlists.generate_playlist(request, ADA)
    assert 1 < len(playlist.items) < 100
    assert "Only" in generated.notes[0]


def test_list_shows_only_the_listeners_playlists_newest_first(world: World) -> None:
    first = _generate(world.seed, name="first")
    second = _generate(world.seed, name="second")
    _generate(world.seed, BO)
    rows, total = playlists.list_playlists(ADA, limit=1, offset=0)
    assert total == 2
    assert [r.id for r in rows] == [second.id]
    rows, _ = playlists.list_playlists(ADA, limit=5, offset=1)
    assert [r.id for r in rows] == [first.id]
    assert playlists.list_playlists(Listener(), limit=5)[1] == 0


def test_another_listeners_playlist_is_not_found(world: World) -> None:
    playlist = _generate(world.seed)
    with pytest.raises(NotFoundError):
        playlists.get_playlist(playlist.id, BO)
    with pytest.raises(NotFoundError):
        playlists.delete_playlist(playlist.id, BO)
    assert playlists.get_playlist(playlist.id, ADA).id == playlist.id


def test_update_renames_removes_and_reorders(world: World) -> None:
    playlist = _generate(world.seed, length=6)
    ids = [i.track_id for i in playlist.items]
    updated = playlists.update_playlist(
        playlist.id, ADA, name="Renamed", remove_track_ids=[ids[1]], order=[4, 3, 2, 1, 0]
    )
    kept = [t for t in ids if t != ids[1]]
    assert updated.name == "Renamed"
    assert [i.track_id for i in updated.items] == list(reversed(kept))
    assert [i.position for i in updated.items] == [0, 1, 2, 3, 4]


def test_update_rejects_unknown_tracks_and_non_permutations(world: World) -> None:
    playlist = _generate(world.seed, length=5)
    with pytest.raises(ValidationError) as unknown:
        playlists.update_playlist(playlist.id, ADA, remove_track_ids=[123_456])
    assert unknown.value.details["field"] == "remove_track_ids"
    with pytest.raises(ValidationError) as bad_order:
        playlists.update_playlist(playlist.id, ADA, order=[0, 0, 1, 2, 3])
    assert bad_order.value.details["field"] == "order"


def test_deleted_playlist_is_gone(world: World) -> None:
    playlist = _generate(world.seed)
    playlists.delete_playlist(playlist.id, ADA)
    with pytest.raises(NotFoundError):
        playlists.get_playlist(playlist.id, ADA)
