"""The index builder: neighbour tables per the index contract, atomic swaps, failed builds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from musaic.extensions import db
from musaic.indexing.data import listening_sessions
from musaic.matching.catalog_reader import CatalogReader
from musaic.matching.index_reader import IndexReader
from musaic.models import ARTIST_TRACKS_KIND, Artist, IndexBuild
from musaic.models import ArtistNeighbourList as ArtistNeighbour
from musaic.models import TrackNeighbourList as TrackNeighbour
from musaic.models.index import unpack_list
from musaic.services.index import BuildOptions, build_index, index_status
from tests.catalog_world.builder import CatalogBuilder
from tests.catalog_world.tiny import add_tiny_catalog

RING = 12  # 12 tracks on a circle; playlist i holds tracks i..i+4, so each is in 5 playlists

pytestmark = pytest.mark.usefixtures("app_context")


def _active_id() -> int | None:
    return db.session.scalar(select(IndexBuild.id).where(IndexBuild.active))


def _lists(model: Any, kind: str, owner_id: int, build_id: int | None = None) -> list[Any]:
    """Return (rank, neighbour, score, support) of `owner_id` by `kind`, best first."""
    owner = model.track_id if model is TrackNeighbour else model.artist_id
    row = db.session.execute(
        select(model.neighbour_ids, model.scores, model.support).where(
            model.build_id == (build_id or _active_id()), model.kind == kind, owner == owner_id
        )
    ).first()
    if row is None:
        return []
    ids, scores, support = unpack_list(*row)
    counts = [None] * ids.size if support is None else support.tolist()
    return list(zip(range(ids.size), ids.tolist(), scores.tolist(), counts, strict=True))


def _neighbours(model: Any, kind: str, owner_id: int) -> list[tuple[int, int | None]]:
    """Return (neighbour, support) of `owner_id` by `kind` in the active build, best first."""
    return [(n, support) for _, n, _, support in _lists(model, kind, owner_id)]


def _row_count(build_id: int) -> int:
    counts = (
        db.session.scalar(select(func.count()).where(model.build_id == build_id)) or 0
        for model in (TrackNeighbour, ArtistNeighbour)
    )
    return sum(counts)


def _add_ring_catalog() -> list[int]:
    """Add 12 tracks by one artist and 12 playlists of 5 neighbouring tracks; return the ring."""
    b = CatalogBuilder()
    ring = [b.track(f"Song {n}", "Ring", year=None, spotify_id=f"ring{n}") for n in range(RING)]
    for start in range(RING):
        b.playlist(f"ring-{start}", [ring[(start + i) % RING] for i in range(5)])
    b.commit()
    return ring


def _embed_rows(track_id: int) -> list[tuple[int, int, float, int | None]]:
    """Return (rank, neighbour, score, support) of a track's "embed" rows in the active build."""
    return _lists(TrackNeighbour, "embed", track_id)


def test_sessions_split_at_gaps_over_30_minutes_and_skip_plays_under_30_seconds() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    plays = [
        ("a", t0, 1, 60_000),
        ("a", t0 + timedelta(minutes=30), 2, 60_000),  # a gap of exactly 30 min keeps the session
        ("a", t0 + timedelta(minutes=31), 9, 29_999),  # skipped: under 30 s
        ("a", t0 + timedelta(minutes=62), 3, 60_000),  # 32 min after the last kept play
        ("a", t0 + timedelta(minutes=63), 4, 60_000),
        ("b", t0 + timedelta(minutes=64), 5, 60_000),  # another history starts a new session
        ("b", t0 + timedelta(minutes=65), 6, 60_000),
    ]
    assert listening_sessions(plays) == [[1, 2], [3, 4], [5, 6]]


def test_track_cooc_ranks_by_shared_playlists_with_raw_support() -> None:
    t = add_tiny_catalog().tracks
    build_index()
    assert _neighbours(TrackNeighbour, "cooc", t[1]) == [(t[2], 2), (t[3], 1)]
    assert sorted(_neighbours(TrackNeighbour, "cooc", t[4])) == [(t[3], 1), (t[5], 1)]  # a tie


def test_track_cooc_uses_listening_sessions_but_not_generated_playlists() -> None:
    t = add_tiny_catalog().tracks
    build_index()
    assert _neighbours(TrackNeighbour, "cooc", t[6]) == [(t[5], 1)]
    assert t[1] not in [n for n, _ in _neighbours(TrackNeighbour, "cooc", t[6])]


def test_audio_neighbours_are_nearest_first_with_no_support() -> None:
    t = add_tiny_catalog().tracks
    build_index()
    assert _neighbours(TrackNeighbour, "audio", t[1]) == [(t[2], None), (t[5], None), (t[3], None)]
    assert _neighbours(TrackNeighbour, "audio", t[4]) == []  # no audio features


def test_artist_tables_cover_cooc_credits_from_titles_and_tags() -> None:
    a = add_tiny_catalog().artists
    build_index()
    assert _neighbours(ArtistNeighbour, "cooc", a[1]) == [(a[2], 1)]
    assert _neighbours(ArtistNeighbour, "credit", a[2]) == [(a[3], 1)]  # "Four (feat. Charlie)"
    assert _neighbours(ArtistNeighbour, "tags", a[4]) == [(a[3], 1), (a[2], 1), (a[1], 1)]
    assert _neighbours(ArtistNeighbour, "tags", a[1]) == [(a[2], 1), (a[4], 1)]


def test_artist_tracks_lists_answer_as_the_catalog_does_and_new_artists_fall_back() -> None:
    add_tiny_catalog()
    build_index()
    artists = sorted(db.session.scalars(select(Artist.id)))
    from_index = IndexReader(db.session).artist_top_tracks_counted(artists, 3)
    assert from_index == CatalogReader(db.session).artist_top_tracks_counted(artists, 3)
    stored = _lists(ArtistNeighbour, ARTIST_TRACKS_KIND, artists[0])
    assert [(n, count) for _, n, _, count in stored][:3] == from_index[artists[0]]
    assert all(score > 0 for _, _, score, _ in stored)
    # An artist met after the build has no list: its tracks are read from the catalog.
    b = CatalogBuilder()
    single = b.track("First Single", "Newcomer", year=None, spotify_id=None)
    b.commit()
    newcomer = b.artist_id("Newcomer")
    assert IndexReader(db.session).artist_top_tracks_counted([newcomer, artists[0]], 3) == {
        newcomer: [(single, 0)],
        artists[0]: from_index[artists[0]],
    }


def test_a_reader_pinned_to_a_build_reads_it_before_the_swap() -> None:
    a = add_tiny_catalog().artists
    build_index()
    first = _active_id()
    seen: dict[str, Any] = {}

    def before_swap(build_id: int) -> None:
        pinned, active = IndexReader(db.session, build_id), IndexReader(db.session)
        seen.update(pinned=pinned.build_id, active=active.build_id, new=build_id)
        seen["lists"] = pinned.artist_neighbours([a[1]], "cooc")

    build_index(before_swap=before_swap)
    assert seen["active"] == first and seen["pinned"] == seen["new"] != first
    assert [n.neighbour_id for n in seen["lists"][a[1]]] == [a[2]]  # the new build's, not absent


def test_lists_hold_positive_scores_best_first_with_matching_sizes() -> None:
    add_tiny_catalog()
    build_index()
    for model in (TrackNeighbour, ArtistNeighbour):
        rows = db.session.execute(select(model.size, model.neighbour_ids, model.scores)).all()
        assert rows
        for size, packed_ids, packed_scores in rows:
            ids, scores, _ = unpack_list(packed_ids, packed_scores, None)
            assert size == ids.size == scores.size > 0
            assert scores.min() > 0 and list(scores) == sorted(scores, reverse=True)


def test_embed_neighbours_are_ranked_by_descending_cosine_without_the_track_itself() -> None:
    ring = _add_ring_catalog()
    stats = build_index()
    assert stats["tables"]["track.embed"]["factors"] == RING - 1  # min(256, 12 - 1)
    assert stats["counts"]["track.embed"] > 0
    for position, track_id in enumerate(ring):
        rows = _embed_rows(track_id)
        ranks, neighbours, scores, support = (list(column) for column in zip(*rows, strict=True))
        assert ranks == list(range(len(rows)))
        assert scores == sorted(scores, reverse=True) and min(scores) > 0
        assert track_id not in neighbours and len(set(neighbours)) == len(neighbours)
        assert set(support) == {None}
        assert set(neighbours[:2]) == {ring[(position + 1) % RING], ring[position - 1]}


def test_embed_is_skipped_with_a_reason_when_the_catalog_is_too_small() -> None:
    t = add_tiny_catalog().tracks  # 4 contexts: at most 3 factors
    stats = build_index()
    assert stats["counts"]["track.embed"] == 0
    assert "under 8" in stats["tables"]["track.embed"]["skipped"]
    assert _embed_rows(t[1]) == []


def test_build_stores_counts_method_and_stage_measurements() -> None:
    add_tiny_catalog()
    stats = build_index(BuildOptions(k=1))
    stored = db.session.get(IndexBuild, _active_id())
    assert stored is not None and stored.status == "ready" and stored.stats == stats
    assert stats["method"] == "rp3beta" and stats["parameters"] == {"alpha": 0.5, "beta": 0.0}
    assert stats["counts"]["track.cooc"] == 6  # k=1: one neighbour for each of six tracks
    assert stats["contexts"] == {"playlists": 3, "sessions": 1}
    assert {s["stage"] for s in stats["stages"]} >= {"load", "track.cooc", "artist.tags"}
    assert all(s["seconds"] >= 0 and s["peak_mb"] > 0 for s in stats["stages"])


def test_rebuild_swaps_the_active_build_and_deletes_the_old_rows() -> None:
    add_tiny_catalog()
    build_index()
    first = _active_id()
    build_index()
    second = _active_id()
    assert first is not None and second is not None and second != first
    assert db.session.scalar(select(func.count()).where(IndexBuild.active)) == 1
    assert _row_count(first) == 0 and _row_count(second) > 0


def test_rebuild_deletes_old_rows_without_loading_their_keys_back() -> None:
    add_tiny_catalog()
    build_index()
    deletes: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(statement.upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        build_index()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert any("TRACK_NEIGHBOUR_LISTS" in statement for statement in deletes)
    assert not any("RETURNING" in statement for statement in deletes)


def test_readers_see_the_old_build_unchanged_until_the_swap() -> None:
    one = add_tiny_catalog().tracks[1]
    build_index()
    old_id = _active_id()
    before = _neighbours(TrackNeighbour, "cooc", one)
    seen: dict[str, Any] = {}

    def read_from_another_connection(new_id: int) -> None:
        with db.engine.connect() as reader:
            seen["active"] = reader.scalar(select(IndexBuild.id).where(IndexBuild.active))
            packed = reader.execute(
                select(TrackNeighbour.neighbour_ids, TrackNeighbour.scores, TrackNeighbour.support)
                .where(TrackNeighbour.build_id == seen["active"], TrackNeighbour.track_id == one)
                .where(TrackNeighbour.kind == "cooc")
            ).one()
            ids, _, support = unpack_list(*packed)
            assert support is not None
            seen["rows"] = list(zip(ids.tolist(), support.tolist(), strict=True))
            seen["new_rows"] = reader.scalar(
                select(func.count()).where(TrackNeighbour.build_id == new_id)
            )

    build_index(before_swap=read_from_another_connection)
    assert seen["active"] == old_id
    assert [tuple(r) for r in seen["rows"]] == before
    assert seen["new_rows"] > 0
    assert _active_id() != old_id and _row_count(old_id or 0) == 0


def test_failed_build_is_marked_failed_and_keeps_the_active_build() -> None:
    t = add_tiny_catalog().tracks
    build_index()
    old_id = _active_id()

    def crash(_build_id: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        build_index(before_swap=crash)
    failed = db.session.scalar(select(IndexBuild).where(IndexBuild.status == "failed"))
    assert failed is not None and "disk full" in failed.stats["error"]
    assert _active_id() == old_id and _row_count(failed.id) == 0
    assert _neighbours(TrackNeighbour, "cooc", t[1]) == [(t[2], 2), (t[3], 1)]


def test_empty_catalog_builds_an_empty_active_index() -> None:
    stats = build_index()
    assert set(stats["counts"].values()) == {0}
    assert index_status()["active"]["status"] == "ready"


def test_status_reports_no_active_build_before_the_first_build() -> None:
    assert index_status() == {"active": None, "latest": None}


def test_unknown_method_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        build_index(BuildOptions(method="magic"))
    assert db.session.scalar(select(func.count()).select_from(IndexBuild)) == 0
