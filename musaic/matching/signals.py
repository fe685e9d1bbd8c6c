"""One signal's ranked candidates, kept as arrays from the reads through fusion and features.

A generation fuses seven lists of up to ~2,500 tracks each but shows reasons for 120 picks;
holding each list as a Python dict of track id -> reason cost more than fusing them did
(README "Generation"). A `Ranked` list is the ids in rank order plus a small table of the
distinct reasons and, per entry, which one applies: the fusion reads `ids`, the learned stage
reads ranks through `find`, and only the picks' reasons become Python values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from musaic.matching.types import Reason

IdArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Ranked:
    """A signal's candidates, best first (distinct, never the seed), and why each is listed.

    Entry i is explained by `reasons[which[i]]`; `which` None: every entry by `reasons[0]`.
    """

    ids: IdArray
    reasons: tuple[Reason, ...] = ()
    which: npt.NDArray[np.intp] | None = None

    @classmethod
    def empty(cls) -> Ranked:
        """Return a list without candidates."""
        return cls(np.zeros(0, dtype=np.int64))

    @classmethod
    def alike(cls, ids: npt.ArrayLike, why: Reason) -> Ranked:
        """Return the list `ids` (best first), every entry there for the same reason."""
        return cls(np.asarray(ids, dtype=np.int64).reshape(-1), (why,))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[int, Reason]]) -> Ranked:
        """Return the list of (track id, reason) pairs, best first, each with its own reason."""
        listed = list(pairs)
        ids = np.fromiter((t for t, _ in listed), dtype=np.int64, count=len(listed))
        return cls(ids, tuple(why for _, why in listed), np.arange(len(listed), dtype=np.intp))

    def __len__(self) -> int:
        return int(self.ids.size)

    def __iter__(self) -> Iterator[int]:
        """Iterate over the track ids, best first."""
        return iter(self.ids.tolist())

    def find(self, track_ids: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Return each track's rank in this list (0 = best), or -1 where it is not listed."""
        wanted = np.asarray(track_ids, dtype=np.int64)
        if not self.ids.size:
            return np.full(wanted.shape, -1, dtype=np.intp)
        order, ordered = self._sorted
        at = np.minimum(np.searchsorted(ordered, wanted), self.ids.size - 1)
        return np.where(ordered[at] == wanted, order[at], -1)

    @cached_property
    def _sorted(self) -> tuple[npt.NDArray[np.intp], IdArray]:
        """Return the ranks that sort `ids` and the sorted ids, computed on the first lookup."""
        order = np.argsort(self.ids, kind="stable")
        return order, self.ids[order]

    def reason_at(self, ranks: npt.NDArray[np.intp]) -> list[Reason]:
        """Return the reason of each of the given (listed) ranks."""
        if self.which is None:
            return [self.reasons[0]] * int(ranks.size)
        return [self.reasons[k] for k in self.which[ranks].tolist()]

    def get(self, track_id: int) -> Reason | None:
        """Return why `track_id` is listed, or None when it is not (one lookup; see `find`)."""
        (rank,) = self.find([track_id]).tolist()
        return None if rank < 0 else self.reason_at(np.asarray([rank]))[0]


def counted_reasons(
    ids: npt.ArrayLike, counts: Sequence[int | None], reason_of: Callable[[int | None], Reason]
) -> Ranked:
    """Return the list `ids` whose entry i is explained by reason_of(counts[i]).

    Each distinct count's reason is built once (a co-occurrence list holds ~100 neighbours
    and a few dozen distinct playlist counts).
    """
    table: dict[int | None, int] = {}
    which = [table.setdefault(count, len(table)) for count in counts]
    reasons = tuple(reason_of(count) for count in table)
    ids = np.asarray(ids, dtype=np.int64).reshape(-1)
    return Ranked(ids, reasons, np.asarray(which, dtype=np.intp))
