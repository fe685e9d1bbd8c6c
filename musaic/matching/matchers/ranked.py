"""The learned matcher: the hybrid's signals plus ALS as candidates, re-ranked by LambdaRank."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from musaic.matching.base import Candidate, Seed, reason
from musaic.matching.matchers.hybrid import HybridMatcher, Pool
from musaic.matching.reads import FloatMatrix, IndexReads
from musaic.matching.signals import IdArray, Ranked
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
MISSING = TrackInfo(0, "", "", (), (), None, None, None, 0, None)  # a candidate without facts
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


def _sound_distances(seed: Mapping[str, float] | None, facts: Sequence[TrackInfo]) -> FloatMatrix:
    """Return each track's mean |difference| from the seed over the 0-1 features both carry."""
    if not seed:
        return np.full(len(facts), math.nan)
    nan = math.nan
    blank = [nan] * len(UNIT_FEATURES)
    mine = np.asarray([seed.get(f, nan) for f in UNIT_FEATURES])
    theirs = np.asarray(
        [[f.features.get(u, nan) for u in UNIT_FEATURES] if f.features else blank for f in facts]
    ).reshape(len(facts), len(UNIT_FEATURES))
    gaps = np.abs(theirs - mine)
    known = ~np.isnan(gaps)
    shared = known.sum(axis=1)
    total = np.where(known, gaps, 0.0).sum(axis=1)
    return np.divide(total, shared, out=np.full(len(facts), nan), where=shared > 0)


def _shared_playlists(pool: Pool, picked: IdArray) -> FloatMatrix:
    """Return the playlists each track shares with the seed (0 off the co-occurrence row)."""
    listed = pool.lists.get("cooccurrence")
    if listed is None or not len(listed) or pool.weights.get("cooccurrence", 0.0) <= 0:
        return np.zeros(picked.size)
    counts = np.asarray([float(r.get("playlists", 0)) for r in listed.reasons])
    ranks = listed.find(picked)
    which = listed.which if listed.which is not None else np.zeros(len(listed), dtype=np.intp)
    return np.where(ranks >= 0, counts[which[np.maximum(ranks, 0)]], 0.0)


def candidate_features(
    seed: Seed,
    pool: Pool,
    infos: Mapping[int, TrackInfo],
    als_scores: Mapping[int, float],
    top_count: int,
) -> FloatMatrix:
    """Return one row of FEATURES per candidate of `pool` (NaN where a signal does not list it).

    `infos` holds the candidates' facts and the seed's (for its year), `als_scores` the seed's
    ALS row (track -> score), `top_count` the catalog's largest playlist count.
    """
    picked = pool.ids
    n = int(picked.size)
    if not n:
        return np.zeros((0, len(FEATURES)))
    rank_columns = np.full((len(SIGNALS), n), math.nan)
    for row, name in enumerate(SIGNALS):
        ranks = pool.lists[name].find(picked) if name in pool.lists else np.full(n, -1)
        rank_columns[row] = np.where(ranks >= 0, ranks, math.nan)
    best_als = max(als_scores.values(), default=0.0)
    ids = picked.tolist()
    facts = [infos.get(t, MISSING) for t in ids]
    count = np.asarray([f.playlist_count for f in facts], dtype=np.float64)
    seed_info = infos.get(seed.track_id)
    seed_year = seed_info.release_year if seed_info else None
    primary = seed.primary_artist_id
    mine = set(seed.artist_ids)
    years = np.asarray(
        [math.nan if f.release_year is None else f.release_year for f in facts], dtype=np.float64
    )
    seed_year_value = math.nan if seed_year is None else float(seed_year)
    columns = [
        *rank_columns,
        (~np.isnan(rank_columns)).sum(axis=0),
        pool.scores,
        np.arange(n, dtype=np.float64),
        np.asarray([als_scores.get(t, 0.0) / best_als if best_als > 0 else 0.0 for t in ids]),
        _shared_playlists(pool, picked),
        np.full(n, float(seed.playlist_count)),
        count,
        count / max(top_count, 1),
        np.asarray([bool(f.artist_ids) and f.artist_ids[0] == primary for f in facts], float),
        np.asarray([not mine.isdisjoint(f.artist_ids) for f in facts], float),
        np.asarray([math.nan if f.popularity is None else f.popularity for f in facts]),
        np.abs(years - seed_year_value),
        _sound_distances(seed.features, facts),
    ]
    return np.column_stack(columns).astype(np.float64)


class RankedMatcher(HybridMatcher):
    """Re-rank the hybrid's and ALS's best few hundred candidates with the build's model."""

    name = "ranked"
    description = (
        "The default: the hybrid's picks, re-ordered by a model learned from this catalog's "
        "own playlists (until one is trained, the hybrid's order)."
    )
    signals = (*HybridMatcher.signals, "track_neighbours:als", "ranker_model")
    depth: ClassVar[int] = CANDIDATES  # a class attribute: research/ranker_lab.py varies it

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

    def candidates(self, seed: Seed) -> tuple[Pool, FloatMatrix]:
        """Return the fused pool's best `depth` candidates, best first, and their feature rows."""
        pool = self.pool(seed, self.depth)
        infos = self.index.track_infos([seed.track_id, *pool.ids.tolist()])
        top = self.index.popularity_thresholds().max_playlist_count
        return pool, candidate_features(seed, pool, infos, self.als_scores, top)

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Score every candidate with the model; without one, rank as the hybrid does.

        Only the `k` best are explained (their reasons are what a listener sees).
        """
        scorer = self.index.ranker_model(FEATURES)
        if scorer is None or seed.playlist_count == 0:
            # A build without a model, or a seed in no playlist (the model learned from seeds
            # in playlists; for the others the hybrid's tags and audio fallbacks do better,
            # docs/quality-round3.md round 3f): the hybrid's order, and no ALS read.
            return HybridMatcher(self.index, self.weights).rank(seed, k)
        pool, rows = self.candidates(seed)
        scores = np.asarray(scorer.score(rows), dtype=np.float64)
        best = np.lexsort((pool.ids, -scores))[:k]
        return pool.candidates_at(best, scores[best].tolist())
