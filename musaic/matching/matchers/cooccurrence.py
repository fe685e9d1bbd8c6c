"""The co-occurrence matcher: tracks that people put in the same playlists as the seed."""

from __future__ import annotations

from musaic.matching.base import Candidate, Matcher, Seed, add_candidate, reason, top_k
from musaic.matching.index_reader import Neighbour

FEW_NEIGHBOURS = 30  # below this, expand through the seed's best neighbours (2 hops)
HOP_SOURCES = 10
HOP_DISCOUNT = 0.5


def _playlists_reason(support: int | None) -> dict[str, object]:
    if support:
        return reason(
            "cooccurrence",
            f"often in playlists with the seed ({support} playlists)",
            playlists=support,
        )
    return reason("cooccurrence", "often in playlists with the seed")


class CooccurrenceMatcher(Matcher):
    """Rank tracks by how often they share playlists and listening sessions with the seed."""

    name = "cooccurrence"
    description = "Tracks that people put in the same playlists as the seed."
    signals = ("track_neighbours:cooc",)

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Rank the seed's co-occurrence neighbours, expanding 2 hops when it has few."""
        direct = self.index.track_neighbours([seed.track_id], "cooc").get(seed.track_id, [])
        pool: dict[int, Candidate] = {}
        best = max((n.score for n in direct), default=0.0)
        for row in direct:
            if row.neighbour_id != seed.track_id and best > 0:
                add_candidate(
                    pool, row.neighbour_id, row.score / best, _playlists_reason(row.support)
                )
        if len(direct) < min(k, FEW_NEIGHBOURS) and direct:
            self._expand(seed, direct[:HOP_SOURCES], best, pool)
        return top_k(pool, k)

    def _expand(
        self, seed: Seed, sources: list[Neighbour], best: float, pool: dict[int, Candidate]
    ) -> None:
        direct_ids = set(pool)
        second = self.index.track_neighbours([n.neighbour_id for n in sources], "cooc")
        for source in sources:
            rows = second.get(source.neighbour_id, [])
            top = max((n.score for n in rows), default=0.0)
            for row in rows:
                if row.neighbour_id == seed.track_id or row.neighbour_id in direct_ids or top <= 0:
                    continue
                score = HOP_DISCOUNT * (source.score / best) * (row.score / top)
                why = reason(
                    "cooccurrence_2hop", "often in playlists with tracks that go with the seed"
                )
                add_candidate(pool, row.neighbour_id, score, why)
