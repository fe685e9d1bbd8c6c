"""Packed neighbour lists decode the same one at a time and many at once."""

from __future__ import annotations

import numpy as np

from musaic.models.index import ID_TYPE, SCORE_TYPE, pack_list, unpack_columns, unpack_list


def test_many_lists_decode_as_each_alone_truncated_to_the_limit() -> None:
    lists = [
        pack_list([7, 3, 9, 1], [0.9, 0.5, 0.25, 0.125], [4, 3, 2, 1]),
        pack_list([], []),
        pack_list([2**31 - 1, 5], [1.5, -2.0], [8, 8]),
    ]
    ids = unpack_columns([p.neighbour_ids for p in lists], ID_TYPE, np.int64, limit=3)
    scores = unpack_columns([p.scores for p in lists], SCORE_TYPE, np.float64, limit=3)
    for packed, got_ids, got_scores in zip(lists, ids, scores, strict=True):
        alone = unpack_list(packed.neighbour_ids, packed.scores, packed.support, limit=3)
        assert got_ids.tolist() == alone.neighbour_ids.tolist()
        assert got_scores.tolist() == alone.scores.tolist()
        assert got_ids.dtype == np.int64 and got_scores.dtype == np.float64
    assert [a.tolist() for a in ids] == [[7, 3, 9], [], [2**31 - 1, 5]]
    assert unpack_columns([], ID_TYPE, np.int64, limit=3) == []
