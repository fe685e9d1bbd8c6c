"""Rankers to evaluate: built-in baselines over imported playlists, and the registered matchers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from musaic.evaluation import metrics
from musaic.indexing.data import imported_playlists
from musaic.indexing.similarity import incidence_matrix
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers import hybrid
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


def matcher_ranker(session: Session, name: str) -> Ranker:
    """Return a ranker that asks registered matcher `name`, before post-processing."""
    reader = IndexReader(session)
    matcher = MATCHERS[name](reader)

    def ranker(seed_id: int, k: int) -> list[int]:
        seed = reader.seed(seed_id)
        return [] if seed is None else [c.track_id for c in matcher.rank(seed, k)]

    return ranker


def parse_weights(text: str) -> dict[str, float]:
    """Parse "cooccurrence=1,artist=0.5" into hybrid weights (unknown names are refused)."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in hybrid.WEIGHTS and name != "same_artist":
            known = ", ".join([*hybrid.WEIGHTS, "same_artist"])
            raise ValueError(f"unknown hybrid weight {name!r}; known: {known}")
        weights[name] = float(value)
    return weights


@contextmanager
def hybrid_weights(weights: Mapping[str, float]) -> Iterator[None]:
    """Run the hybrid matcher with `weights` for the duration (an offline sweep, one thread)."""
    saved, boost = dict(hybrid.WEIGHTS), hybrid.SAME_ARTIST_BOOST
    hybrid.WEIGHTS.update({n: w for n, w in weights.items() if n != "same_artist"})
    hybrid.SAME_ARTIST_BOOST = weights.get("same_artist", boost)
    try:
        yield
    finally:
        hybrid.WEIGHTS.clear()
        hybrid.WEIGHTS.update(saved)
        hybrid.SAME_ARTIST_BOOST = boost
