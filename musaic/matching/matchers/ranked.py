"""The learned matcher: the hybrid's signals as candidates, re-ranked by a LambdaRank model."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from musaic.matching.base import Candidate, Seed
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
    ids = [c.track_id for c in candidates]
    ranks = []
    for name in SIGNALS:
        position = {t: float(i) for i, t in enumerate(lists.get(name, {}))}
        ranks.append([position.get(t, math.nan) for t in ids])
    rank_columns = np.asarray(ranks, dtype=np.float64).reshape(len(SIGNALS), len(ids))
    counts = reads.playlist_counts(ids)
    count = np.asarray([counts.get(t, 0) for t in ids], dtype=np.float64)
    shared = [max((w.get("playlists", 0) for w in c.reasons), default=0) for c in candidates]
    top = max(reads.popularity_thresholds().max_playlist_count, 1)
    columns = [
        *rank_columns,
        (~np.isnan(rank_columns)).sum(axis=0),
        np.asarray([c.score for c in candidates], dtype=np.float64),
        np.arange(len(ids), dtype=np.float64),
        np.asarray(shared, dtype=np.float64),
        np.full(len(ids), float(seed.playlist_count)),
        count,
        count / top,
    ]
    return np.column_stack(columns) if ids else np.zeros((0, len(FEATURES)))


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
        lists, best = self.fused(seed, CANDIDATES)
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
