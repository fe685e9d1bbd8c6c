"""Beyond accuracy: how popular, varied and wide-reaching the finished playlists are."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from musaic.evaluation.cases import ArtistOf, Case
from musaic.evaluation.metrics import ndcg_at_k, r_precision
from musaic.matching.base import Matcher
from musaic.matching.postprocess import Options, Popularity, postprocess, ranking_depth
from musaic.matching.reads import IndexReads
from musaic.models import Track

POPULARITY_OPTIONS: tuple[Popularity, ...] = ("balanced", "mainstream", "discovery")
LENGTH = 30


class PercentileOf:
    """The percentile (0..100, mid-rank) of a playlist count among every catalog track's."""

    def __init__(self, counts: Sequence[int]) -> None:
        self.sorted = np.sort(np.asarray(counts, dtype=np.int64))

    @classmethod
    def of_catalog(cls, session: Session) -> PercentileOf:
        """Read every track's playlist count."""
        return cls([c or 0 for c in session.scalars(select(Track.playlist_count)).all()])

    def __call__(self, count: int) -> float:
        """Return the share of tracks below `count`, plus half of those equal to it, in %."""
        below = np.searchsorted(self.sorted, count, side="left")
        upto = np.searchsorted(self.sorted, count, side="right")
        return float(100.0 * (below + upto) / 2 / max(self.sorted.size, 1))


def playlist_picks(
    reads: IndexReads, matcher: Matcher, seed_id: int, popularity: Popularity
) -> list[int]:
    """Return the finished playlist's tracks (seed left out) as the service would build it."""
    seed = reads.seed(seed_id)
    if seed is None:
        return []
    options = Options(popularity=popularity, include_seed=False, seed=0)
    ranked = matcher.rank(seed, ranking_depth(options, LENGTH))
    tracks = reads.track_infos([seed.track_id, *(c.track_id for c in ranked)])
    chosen = postprocess(seed, ranked, tracks, options, LENGTH, reads.popularity_thresholds())
    return [c.track_id for c in chosen]


def beyond_accuracy(
    reads: IndexReads,
    matcher: Matcher,
    cases: Sequence[Case],
    artist_of: ArtistOf,
    percentile: PercentileOf,
    popularity: Popularity,
) -> dict[str, float]:
    """Score finished playlists: accuracy at 30, popularity percentile, artists, coverage."""
    ndcg: list[float] = []
    rprec: list[float] = []
    pop: list[float] = []
    artists: list[int] = []
    seen: set[int] = set()
    for case in cases:
        picks = playlist_picks(reads, matcher, case.seed, popularity)
        targets = set(case.targets)
        ndcg.append(ndcg_at_k(picks, targets, LENGTH))
        rprec.append(r_precision(picks, targets))
        counts = reads.playlist_counts(picks)
        pop.extend(percentile(counts.get(t, 0)) for t in picks)
        artists.append(len({artist_of[t] for t in picks}))
        seen.update(picks)
    return {
        "n": float(len(cases)),
        f"ndcg@{LENGTH}": float(np.mean(ndcg)) if ndcg else 0.0,
        "r_precision": float(np.mean(rprec)) if rprec else 0.0,
        "popularity_percentile": float(np.mean(pop)) if pop else 0.0,
        f"distinct_artists_in_{LENGTH}": float(np.mean(artists)) if artists else 0.0,
        "catalog_coverage": len(seen) / max(percentile.sorted.size, 1),
    }
