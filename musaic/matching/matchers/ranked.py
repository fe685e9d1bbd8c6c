"""The learned matcher: the hybrid's signals as candidates, re-ranked by a LambdaRank model."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from musaic.matching.base import Candidate, Seed, top_k
from musaic.matching.matchers.hybrid import HybridMatcher, Ranked
from musaic.matching.reads import FloatMatrix, IndexReads

CANDIDATES = 300  # the fused pool's best, re-ranked (docs/quality-round3.md: recall at 300)
SIGNALS = (
    "cooccurrence",
    "two_hop",
    "embedding",
    "same_artist",
    "artist_hits_neighbours",
    "similar_artists",
    "tags",
    "audio",
)
FEATURES = [
    *(f"rank_{name}" for name in SIGNALS),  # the candidate's place in each signal's list
    "signals",  # how many signals list it
    "fused_score",  # the hybrid's reciprocal-rank fusion
    "fused_rank",
    "cooc_playlists",  # playlists it shares with the seed (0 when not a direct neighbour)
    "seed_playlists",
    "candidate_playlists",
    "candidate_share",  # its playlist count over the catalog's largest
]


def candidate_features(
    reads: IndexReads, seed: Seed, candidates: Sequence[Candidate], lists: Mapping[str, Ranked]
) -> FloatMatrix:
    """Return one row of FEATURES per candidate (NaN where a signal does not list it)."""
    positions = {name: {t: i for i, t in enumerate(lists.get(name, {}))} for name in SIGNALS}
    counts = reads.playlist_counts(c.track_id for c in candidates)
    top = max(reads.popularity_thresholds().max_playlist_count, 1)
    rows = np.full((len(candidates), len(FEATURES)), math.nan)
    for r, candidate in enumerate(candidates):
        t = candidate.track_id
        ranks = [positions[name].get(t, math.nan) for name in SIGNALS]
        shared = max((int(w.get("playlists", 0)) for w in candidate.reasons), default=0)
        count = counts.get(t, 0)
        rows[r] = [
            *ranks,
            sum(not math.isnan(x) for x in ranks),
            candidate.score,
            r,
            shared,
            seed.playlist_count,
            count,
            count / top,
        ]
    return rows


class RankedMatcher(HybridMatcher):
    """Re-rank the hybrid's best few hundred candidates with the build's learned model."""

    name = "ranked"
    description = (
        "The hybrid's candidates re-ordered by a model learned from the catalog's own "
        "playlists: which signals list a track, how high, and how popular it is."
    )
    signals = (*HybridMatcher.signals, "ranker_model")

    def candidates(self, seed: Seed) -> tuple[list[Candidate], FloatMatrix]:
        """Return the fused pool's best CANDIDATES, best first, and their feature rows."""
        lists, pool = self.fused(seed, CANDIDATES)
        best = top_k(pool, CANDIDATES)
        return best, candidate_features(self.index, seed, best, lists)

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Score every candidate with the model; without one, rank as the hybrid does."""
        scorer = self.index.ranker_model(FEATURES)
        if scorer is None:
            return super().rank(seed, k)
        best, rows = self.candidates(seed)
        scores = scorer.score(rows)
        ranked = [
            Candidate(c.track_id, float(s), c.reasons) for c, s in zip(best, scores, strict=True)
        ]
        ranked.sort(key=lambda c: (-c.score, c.track_id))
        return ranked[:k]
