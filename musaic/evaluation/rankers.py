"""Rankers to evaluate: built-in baselines over imported playlists, and the registered matchers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from musaic.evaluation import metrics
from musaic.indexing.data import imported_playlists
from musaic.indexing.similarity import incidence_matrix
from musaic.matching.base import Matcher
from musaic.matching.matchers.hybrid import HybridMatcher, check_weights
from musaic.matching.reads import IndexReads
from musaic.matching.registry import MATCHERS
from musaic.models import Track

Ranker = Callable[[int, int], list[int]]  # (seed track id, k) -> ranked track ids
BASELINES = ("popularity", "artist_popularity", "cooccurrence_count", "cooccurrence_cosine")


def baseline_rankers(session: Session, artist_of: Mapping[int, int]) -> dict[str, Ranker]:
    """Return the baselines, computed from the catalog's imported playlists."""
    track_ids = np.asarray(session.scalars(select(Track.id).order_by(Track.id)).all(), np.int64)
    playlists = imported_playlists(session)
    x = incidence_matrix(
        (np.searchsorted(track_ids, p).tolist() for p in playlists), track_ids.size
    )
    artists = np.asarray([artist_of.get(int(t), -1 - int(t)) for t in track_ids], np.int64)

    def wrap(rank: Callable[[int, int], list[int]]) -> Ranker:
        def ranker(seed: int, k: int) -> list[int]:
            return track_ids[rank(int(np.searchsorted(track_ids, seed)), k)].tolist()

        return ranker

    return {
        "popularity": wrap(lambda s, k: metrics.popularity(x, s, k)),
        "artist_popularity": wrap(lambda s, k: metrics.artist_popularity(x, s, artists, k)),
        "cooccurrence_count": wrap(lambda s, k: metrics.cooccurrence_count(x, s, k)),
        "cooccurrence_cosine": wrap(lambda s, k: metrics.cooccurrence_cosine(x, s, k)),
    }


def matcher_ranker(
    reads: IndexReads, name: str, weights: Mapping[str, float] | None = None
) -> Ranker:
    """Return a ranker that asks registered matcher `name` (hybrid with `weights`), unprocessed."""
    matcher = make_matcher(reads, name, weights)

    def ranker(seed_id: int, k: int) -> list[int]:
        seed = reads.seed(seed_id)
        return [] if seed is None else [c.track_id for c in matcher.rank(seed, k)]

    return ranker


def make_matcher(reads: IndexReads, name: str, weights: Mapping[str, float] | None) -> Matcher:
    """Build matcher `name` over `reads`; only the hybrid takes weights."""
    if weights is not None:
        return HybridMatcher(reads, weights)
    return MATCHERS[name](reads)


def parse_weights(text: str) -> dict[str, float]:
    """Parse "cooccurrence=1,same_artist=0.5" into hybrid weights (unknown names are refused)."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        try:
            weights[name] = float(value)
        except ValueError:
            raise ValueError(f"hybrid weight {name!r} needs a number, got {value!r}") from None
    check_weights(weights)
    return weights
