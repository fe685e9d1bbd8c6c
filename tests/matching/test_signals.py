"""A signal's ranked list as arrays: ranks found by id, reasons kept once per distinct value."""

from __future__ import annotations

import numpy as np

from musaic.matching.base import reason
from musaic.matching.signals import Ranked, counted_reasons

HOP = reason("cooccurrence_2hop", "with tracks that go with the seed")


def test_find_gives_each_tracks_rank_and_minus_one_where_it_is_not_listed() -> None:
    ranked = Ranked.alike([30, 10, 20], HOP)
    assert ranked.find([10, 99, 30, 20]).tolist() == [1, -1, 0, 2]
    assert Ranked.empty().find([10]).tolist() == [-1]
    assert list(ranked) == [30, 10, 20] and len(ranked) == 3
    assert ranked.get(20) == HOP and ranked.get(99) is None


def test_counted_reasons_builds_each_distinct_counts_reason_once() -> None:
    made: list[int | None] = []

    def playlists(count: int | None) -> dict[str, object]:
        made.append(count)
        return reason("cooccurrence", f"{count} playlists", playlists=count)

    ranked = counted_reasons([5, 6, 7, 8], [3, 1, 3, None], playlists)
    assert made == [3, 1, None]
    assert [ranked.get(t) for t in (5, 6, 7, 8)] == [
        playlists(3),
        playlists(1),
        playlists(3),
        playlists(None),
    ]
    assert ranked.reason_at(np.asarray([3, 0])) == [playlists(None), playlists(3)]


def test_pairs_keep_their_own_reasons_in_rank_order() -> None:
    first, second = reason("tags", "tagged alike"), reason("audio", "sounds alike")
    ranked = Ranked.from_pairs([(4, first), (2, second)])
    assert ranked.ids.tolist() == [4, 2]
    assert ranked.reason_at(ranked.find([2, 4])) == [second, first]
