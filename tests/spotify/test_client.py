"""SpotifyClient over real loopback HTTP against the stand-in: calls, paging and parsing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from musaic.spotify import SpotifyClient, SpotifyNotFoundError
from tests.spotify_standin import SpotifyStandIn


def test_search_rejects_a_limit_above_10_before_any_http(
    client: SpotifyClient, standin: SpotifyStandIn
) -> None:
    with pytest.raises(ValueError, match="limit"):
        client.search_tracks("love", limit=11)
    with pytest.raises(ValueError, match="offset"):
        client.search_tracks("love", offset=1001)
    assert standin.requests == []


def test_artist_albums_reject_a_limit_above_10_before_any_http(
    client: SpotifyClient, standin: SpotifyStandIn
) -> None:
    with pytest.raises(ValueError):
        client.get_artist_albums("any", limit=20)
    assert standin.requests == []


def test_search_tracks_up_to_pages_in_requests_of_at_most_10(
    client: SpotifyClient, standin: SpotifyStandIn
) -> None:
    tracks = client.search_tracks_up_to("a", 25)
    assert len(tracks) == 25
    assert len({t.spotify_id for t in tracks}) == 25
    pages = [(r.query["limit"], r.query["offset"]) for r in standin.requests]
    assert pages == [("10", "0"), ("10", "10"), ("5", "20")]


def test_search_tracks_up_to_stops_when_results_run_out(
    client: SpotifyClient, standin: SpotifyStandIn, track_id: str
) -> None:
    name = standin.catalog.tracks[track_id].name
    tracks = client.search_tracks_up_to(f'track:"{name}"', 50)
    assert track_id in {t.spotify_id for t in tracks}
    assert len(standin.requests) == 1 + (len(tracks) - 1) // 10


def test_get_track_keeps_isrc_album_and_release_year(
    client: SpotifyClient, standin: SpotifyStandIn, track_id: str
) -> None:
    row = standin.catalog.tracks[track_id]
    track = client.get_track(track_id)
    assert track.isrc == row.isrc
    assert track.album is not None and track.album.spotify_id == row.album_id
    assert track.album.release_year == int(standin.catalog.albums[row.album_id].release_date[:4])
    assert track.artists[0].spotify_id == row.artist_id
    assert (track.duration_ms, track.explicit, track.uri) == (
        row.duration_ms,
        row.explicit,
        f"spotify:track:{track_id}",
    )


def test_isrc_search_finds_the_track(client: SpotifyClient, standin: SpotifyStandIn) -> None:
    row = next(iter(standin.catalog.tracks.values()))
    page = client.search_tracks(f"isrc:{row.isrc}")
    assert [t.spotify_id for t in page.items] == [row.spotify_id]


def test_album_artist_and_album_tracks_parse(
    client: SpotifyClient, standin: SpotifyStandIn, track_id: str
) -> None:
    row = standin.catalog.tracks[track_id]
    album = client.get_album(row.album_id)
    assert album.total_tracks == len(standin.catalog.albums[row.album_id].track_ids) >= 3
    assert track_id in [t.spotify_id for t in album.tracks]
    page = client.get_album_tracks(row.album_id, limit=2, offset=1)
    assert (page.limit, page.offset, len(page.items)) == (2, 1, 2)
    assert page.items[0].album is None and page.items[0].isrc is None
    artist = client.get_artist(row.artist_id)
    assert artist.name == standin.catalog.artists[row.artist_id].name
    albums = client.get_artist_albums(row.artist_id, limit=10)
    assert row.album_id in [a.spotify_id for a in albums.items]


def test_unknown_track_raises_spotify_not_found(client: SpotifyClient) -> None:
    with pytest.raises(SpotifyNotFoundError) as caught:
        client.get_track("0000000000000000000000")
    assert (caught.value.status_code, caught.value.code) == (404, "spotify_not_found")


def test_get_me_keeps_the_account_id(client: SpotifyClient, standin: SpotifyStandIn) -> None:
    me = client.get_me()
    first = standin.users[0]
    assert (me.account_id, me.spotify_id, me.display_name) == (
        first.account_id,
        first.user_id,
        first.display_name,
    )


def test_top_tracks_and_recently_played_parse(client: SpotifyClient) -> None:
    top = client.get_my_top_tracks(limit=5, time_range="short_term")
    assert len(top.items) == 5 and top.total == 50 and top.next is not None
    plays = client.get_recently_played(limit=3)
    assert len(plays) == 3
    assert plays[0].played_at > plays[1].played_at
    assert plays[0].played_at.tzinfo is not None
    older = client.get_recently_played(
        limit=3, before_ms=int(plays[-1].played_at.timestamp() * 1000)
    )
    assert older[0].played_at < plays[-1].played_at


def test_create_playlist_then_replace_250_items_writes_in_chunks_of_100(
    client: SpotifyClient, standin: SpotifyStandIn
) -> None:
    uris = [f"spotify:track:{tid}" for tid in list(standin.catalog.tracks)[:250]]
    playlist = client.create_playlist("Seeded", description="from one seed", public=False)
    snapshot = client.replace_playlist_items(playlist.spotify_id, uris)
    writes = [(r.method, len(r.json()["uris"])) for r in standin.requests if "/items" in r.path]
    assert writes == [("PUT", 100), ("POST", 100), ("POST", 50)]
    assert standin.web_api is not None
    assert standin.web_api.playlists[playlist.spotify_id].items == uris
    assert snapshot == standin.web_api.playlists[playlist.spotify_id].snapshot_id
    listed = client.get_my_playlists()
    assert [(p.spotify_id, p.items_total) for p in listed.items] == [(playlist.spotify_id, 250)]


def test_add_and_remove_items_round_trip(client: SpotifyClient, standin: SpotifyStandIn) -> None:
    ids = list(standin.catalog.tracks)[:5]
    playlist = client.create_playlist("Round trip")
    client.add_playlist_items(playlist.spotify_id, [f"spotify:track:{t}" for t in ids[:3]])
    client.add_playlist_items(playlist.spotify_id, [f"spotify:track:{ids[3]}"], position=0)
    client.remove_playlist_items(playlist.spotify_id, [f"spotify:track:{ids[1]}"])
    page = client.get_playlist_items(playlist.spotify_id)
    assert [t.spotify_id for t in page.items] == [ids[3], ids[0], ids[2]]


def test_playlist_writes_reject_bad_uris_before_any_http(
    client: SpotifyClient, standin: SpotifyStandIn
) -> None:
    with pytest.raises(ValueError):
        client.add_playlist_items("p", ["https://open.spotify.com/track/x"])
    with pytest.raises(ValueError):
        client.add_playlist_items("p", "spotify:track:abc")
    assert standin.requests == []


def test_call_recorder_receives_endpoint_template_method_status_and_duration(
    make_client: Callable[..., SpotifyClient],
    calls: list[tuple[str, str, int | None, float]],
    track_id: str,
) -> None:
    make_client().get_track(track_id)
    assert len(calls) == 1
    endpoint, method, status, duration_ms = calls[0]
    assert (endpoint, method, status) == ("/tracks/{id}", "GET", 200)
    assert duration_ms >= 0
