"""The learned matcher: the hybrid's signals plus ALS as candidates, re-ranked by LambdaRank."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from musaic.matching.base import Candidate, Seed, reason
from musaic.matching.matchers.hybrid import HybridMatcher
from musaic.matching.reads import FloatMatrix, IndexReads
from musaic.matching.signals import Ranked
from musaic.matching.types import TrackInfo

CANDIDATES = 300  # the fused pool's best, re-ranked (docs/quality-round3.md: recall at 300)
ALS_LIST = 100  # the seed's "als" row (musaic/indexing/als.py) joins the pool...
ALS_POOL_WEIGHT = 1.0  # ... with this reciprocal-rank weight, as co-occurrence has in the hybrid
ALS_REASON = reason("als", "liked by listeners of the seed")
SIGNALS = (
    "cooccurrence",
    "two_hop",
    "embedding",
    "same_artist",
    "artist_hits_neighbours",
    "similar_artists",
    "tags",
    "audio",
    "als",
)
# audio features on a 0-1 scale: their mean absolute difference is the candidate's sound distance
UNIT_FEATURES = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
)
FEATURES = [
    *(f"rank_{name}" for name in SIGNALS),  # the candidate's place in each signal's list
    "signals",  # how many signals list it
    "fused_score",  # the hybrid's reciprocal-rank fusion (with ALS)
    "fused_rank",
    "als_score",  # its ALS fold-in score over the seed row's best (0 when not listed)
    "cooc_playlists",  # playlists it shares with the seed (0 when not a direct neighbour)
    "seed_playlists",
    "candidate_playlists",
    "candidate_share",  # its playlist count over the catalog's largest
    "same_primary_artist",  # 1 when its first artist is the seed's
    "shares_artist",  # 1 when any credited artist is one of the seed's
    "candidate_popularity",  # Spotify popularity 0-100 (NaN when unknown)
    "year_difference",  # |release year - the seed's| (NaN when either is unknown)
    "sound_distance",  # mean |difference| of the 0-1 audio features (NaN when unknown)
]


def _sound_distance(seed: Mapping[str, float] | None, other: Mapping[str, float] | None) -> float:
    if not seed or not other:
        return math.nan
    shared = [abs(seed[f] - other[f]) for f in UNIT_FEATURES if f in seed and f in other]
    return float(np.mean(shared)) if shared else math.nan


def candidate_features(
    seed: Seed,
    candidates: Sequence[Candidate],
    lists: Mapping[str, Ranked],
    infos: Mapping[int, TrackInfo],
    als_scores: Mapping[int, float],
    top_count: int,
) -> FloatMatrix:
    """Return one row of FEATURES per candidate (NaN where a signal does not list it).

    `infos` holds the candidates' facts and the seed's (for its year), `als_scores` the seed's
    ALS row (track -> score), `top_count` the catalog's largest playlist count.
    """
    ids = [c.track_id for c in candidates]
    if not ids:
        return np.zeros((0, len(FEATURES)))
    picked = np.asarray(ids, dtype=np.int64)
    rank_columns = np.full((len(SIGNALS), len(ids)), math.nan)
    for row, name in enumerate(SIGNALS):
        ranks = lists[name].find(picked) if name in lists else np.full(len(ids), -1)
        rank_columns[row] = np.where(ranks >= 0, ranks, math.nan)
    best_als = max(als_scores.values(), default=0.0)
    missing = TrackInfo(0, "", "", (), (), None, None, None, 0, None)
    facts = [infos.get(t, missing) for t in ids]
    count = np.asarray([f.playlist_count for f in facts], dtype=np.float64)
    shared = [max((w.get("playlists", 0) for w in c.reasons), default=0) for c in candidates]
    seed_info = infos.get(seed.track_id)
    seed_year = seed_info.release_year if seed_info else None
    primary = seed.primary_artist_id
    columns = [
        *rank_columns,
        (~np.isnan(rank_columns)).sum(axis=0),
        np.asarray([c.score for c in candidates], dtype=np.float64),
        np.arange(len(ids), dtype=np.float64),
        np.asarray([als_scores.get(t, 0.0) / best_als if best_als > 0 else 0.0 for t in ids]),
        np.asarray(shared, dtype=np.float64),
        np.full(len(ids), float(seed.playlist_count)),
        count,
        count / max(top_count, 1),
        np.asarray([bool(f.artist_ids) and f.artist_ids[0] == primary for f in facts], float),
        np.asarray([bool(set(f.artist_ids) & set(seed.artist_ids)) for f in facts], float),
        np.asarray([math.nan if f.popularity is None else f.popularity for f in facts]),
        np.asarray(
            [
                math.nan
                if f.release_year is None or seed_year is None
                else abs(f.release_year - seed_year)
                for f in facts
            ]
        ),
        np.asarray([_sound_distance(seed.features, f.features) for f in facts]),
    ]
    return np.column_stack(columns).astype(np.float64)


class RankedMatcher(HybridMatcher):
    """Re-rank the hybrid's and ALS's best few hundred candidates with the build's model."""

    name = "ranked"
    description = (
        "The hybrid's candidates and ALS's re-ordered by a model learned from the catalog's "
        "own playlists: which signals list a track, how high, and how popular it is."
    )
    signals = (*HybridMatcher.signals, "track_neighbours:als", "ranker_model")

    def __init__(self, index: IndexReads, weights: Mapping[str, float] | None = None) -> None:
        super().__init__(index, weights)
        self.als_scores: dict[int, float] = {}

    def signal_lists(self, seed: Seed, k: int) -> dict[str, Ranked]:
        """Return the hybrid's lists and the seed's ALS row (one more batched read)."""
        lists = super().signal_lists(seed, k)
        rows = self.index.track_neighbours([seed.track_id], "als", ALS_LIST)
        row = [n for n in rows.get(seed.track_id, []) if n.neighbour_id != seed.track_id]
        self.als_scores = {n.neighbour_id: n.score for n in row}
        lists["als"] = Ranked.alike([n.neighbour_id for n in row], ALS_REASON)
        return lists

    def fusion_weights(self, seed: Seed) -> dict[str, float]:
        """Fuse as the hybrid does, plus the ALS list (last) with ALS_POOL_WEIGHT."""
        return {**super().fusion_weights(seed), "als": ALS_POOL_WEIGHT}

    def candidates(self, seed: Seed) -> tuple[list[Candidate], FloatMatrix]:
        """Return the fused pool's best CANDIDATES, best first, and their feature rows."""
        lists, best = self.fused(seed, CANDIDATES)
        infos = self.index.track_infos([seed.track_id, *(c.track_id for c in best)])
        top = self.index.popularity_thresholds().max_playlist_count
        return best, candidate_features(seed, best, lists, infos, self.als_scores, top)

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
