"""Offline playlist metrics (RecSys Challenge 2018 definitions) and the baseline rankers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from musaic.indexing.similarity import item_counts

IntArray = npt.NDArray[np.int64]
ARTIST_CREDIT = 0.25  # RecSys 2018: an artist-only hit in the top |G| is worth a quarter


def r_precision(ranked: Sequence[int], relevant: set[int]) -> float:
    """Return the share of the relevant items found in the first |relevant| ranked items."""
    if not relevant:
        return 0.0
    return len(set(ranked[: len(relevant)]) & relevant) / len(relevant)


def r_precision_with_artist_credit(
    ranked: Sequence[int], relevant: set[int], artist_of: Mapping[int, int]
) -> float:
    """Return R-precision where each relevant artist met only via a wrong track adds 0.25."""
    if not relevant:
        return 0.0
    top = ranked[: len(relevant)]
    track_hits = set(top) & relevant
    hit_artists = {artist_of[t] for t in track_hits}
    relevant_artists = {artist_of[t] for t in relevant}
    artist_hits = {artist_of[t] for t in top if t not in track_hits} & relevant_artists
    credit = len(track_hits) + ARTIST_CREDIT * len(artist_hits - hit_artists)
    return credit / len(relevant)


def ndcg_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Return binary-relevance NDCG of the first k ranked items (ideal: min(|relevant|, k) hits)."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / idcg


def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Return the share of the relevant items found in the first k ranked items."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def clicks(ranked: Sequence[int], relevant: set[int], k: int, page_size: int = 10) -> int:
    """Return pages of page_size a listener skips before a hit; k // page_size + 1 if none in k.

    With k=500 this is RecSys 2018's clicks (0..50, 51 when nothing relevant is in the top 500).
    """
    for i, item in enumerate(ranked[:k]):
        if item in relevant:
            return i // page_size
    return k // page_size + 1


def to_artists(ranked: Sequence[int], artist_of: Mapping[int, int]) -> list[int]:
    """Map a ranked track list to its artists, keeping each artist's first appearance."""
    seen: dict[int, None] = {}
    for track in ranked:
        seen.setdefault(artist_of[track], None)
    return list(seen)


def playlist_metrics(
    ranked: Sequence[int], relevant: set[int], artist_of: Mapping[int, int], k: int = 100
) -> dict[str, float]:
    """Score one ranked list against one held-out playlist at track and artist level."""
    ranked = list(ranked[:k])
    artists = to_artists(ranked, artist_of)
    relevant_artists = {artist_of[t] for t in relevant}
    return {
        "r_precision": r_precision(ranked, relevant),
        "r_precision_artist_credit": r_precision_with_artist_credit(ranked, relevant, artist_of),
        f"ndcg@{k}": ndcg_at_k(ranked, relevant, k),
        f"recall@{k}": recall_at_k(ranked, relevant, k),
        "clicks": float(clicks(ranked, relevant, k)),
        "artist_r_precision": r_precision(artists, relevant_artists),
        f"artist_ndcg@{k}": ndcg_at_k(artists, relevant_artists, k),
        f"artist_recall@{k}": recall_at_k(artists, relevant_artists, k),
    }


def aggregate(rows: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Average each metric over playlists and add the playlist count as 'n'."""
    rows = list(rows)
    if not rows:
        return {"n": 0.0}
    means = {key: float(np.mean([row[key] for row in rows])) for key in rows[0]}
    return {"n": float(len(rows)), **means}


def _top_by_score(scores: npt.NDArray[np.float64], k: int, exclude: Iterable[int]) -> list[int]:
    """Return the k best indices by score (ties by lower index), dropping excluded ones."""
    scores = np.array(scores, dtype=np.float64)
    scores[list(exclude)] = -np.inf
    k = min(k, int(np.isfinite(scores).sum()))
    top = np.argpartition(-scores, k - 1)[:k] if k > 0 else np.zeros(0, np.int64)
    return [int(i) for i in top[np.lexsort((top, -scores[top]))]]


def _seed_cooccurrence(incidence: sparse.csr_matrix, seed: int) -> npt.NDArray[np.float64]:
    """Return how many contexts each item shares with the seed."""
    contexts = sparse.csr_matrix(incidence[:, [seed]] > 0, dtype=np.float64)
    return np.asarray((contexts.T @ incidence).toarray(), dtype=np.float64).ravel()


def popularity(incidence: sparse.csr_matrix, seed: int, k: int = 100) -> list[int]:
    """Rank the most frequent items, seed excluded (the context-free baseline)."""
    return _top_by_score(item_counts(incidence), k, [seed])


def artist_popularity(
    incidence: sparse.csr_matrix, seed: int, track_artist: IntArray, k: int = 100
) -> list[int]:
    """Rank the seed artist's tracks by popularity, then every other track by popularity."""
    counts = item_counts(incidence)
    same_artist = track_artist == track_artist[seed]
    return _top_by_score(counts + same_artist * (counts.max() + 1.0), k, [seed])


def cooccurrence_count(incidence: sparse.csr_matrix, seed: int, k: int = 100) -> list[int]:
    """Rank items by raw co-occurrence count with the seed, popularity breaking ties."""
    counts = item_counts(incidence)
    cooc = _seed_cooccurrence(incidence, seed)
    return _top_by_score(cooc + counts / (counts.max() + 1.0), k, [seed])


def cooccurrence_cosine(incidence: sparse.csr_matrix, seed: int, k: int = 100) -> list[int]:
    """Rank items by cosine of their context vectors with the seed's, popularity breaking ties."""
    counts = item_counts(incidence)
    cooc = _seed_cooccurrence(incidence, seed)
    cosine = cooc / np.sqrt(np.maximum(counts, 1.0) * max(counts[seed], 1.0))
    return _top_by_score(cosine + 1e-6 * counts / (counts.max() + 1.0), k, [seed])
