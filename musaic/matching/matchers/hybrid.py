"""The hybrid matcher (the default): rank fusion of co-occurrence, artist and embedding signals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from musaic.matching.base import Candidate, Matcher, Reason, Seed, reason
from musaic.matching.matchers.audio import AudioMatcher
from musaic.matching.matchers.cooccurrence import HOP_REASON, playlists_reason
from musaic.matching.matchers.tags import TagsMatcher
from musaic.matching.reads import IndexReads
from musaic.matching.signals import Ranked, counted_reasons
from musaic.matching.types import Neighbour, NeighbourArrays, TrackCounts

# docs/matching-research.md, round 2 "Recommended request-time blend" (held-out MPD: NDCG@100
# 0.1843 vs 0.1606 for raw co-occurrence counts). Every signal f ranks its own candidates; a track
# gains w_f / (RRF_K + rank_f) from each signal that lists it (rank 0 = best), where
#   w_f = weights[f] + weights[f + RARE_SEED] x c,  c = RARE_HALF / (RARE_HALF + n)
# and n is the number of playlists holding the seed: the rarer the seed, the less its own
# co-occurrence row says and the more its artist counts. A base weight of 0 switches a signal off.
# The weights are passed to the matcher (`musaic eval --ablation` and `--weights` build variants).
RARE_SEED = "_rare_seed"
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "cooccurrence": 1.0,  # the seed's "cooc" row
        "two_hop": 1.0,  # "cooc" rows of the seed's top-20 neighbours, summed
        "embedding": 0.6,  # the seed's "embed" row, when the active build holds that kind
        "same_artist": 0.6,  # the seed artist's top-50 tracks by playlist count
        "same_artist_rare_seed": 4.0,
        "artist_hits_neighbours": 0.3,  # "cooc" rows of the seed artist's top-5 tracks, summed
        "artist_hits_neighbours_rare_seed": 1.0,
        "similar_artists": 0.3,  # top-50 tracks of the seed artist's top-50 "cooc" artists
        "similar_artists_rare_seed": 1.0,
        "tags": 0.2,  # fallbacks for a seed without a "cooc" row (a brand-new artist's track):
        "audio": 0.1,  # artists tagged alike, tracks that sound alike; not in the research blend
        # (docs/quality-round3.md "Cold artists": audio at half the tags' weight, 0.0544 -> 0.0572)
    }
)
RRF_K = 60
RARE_HALF = 2.0  # the seed's playlist count at which the @rare parts count half
POPULARITY_WEIGHT = 0.001  # x playlist_count / catalog max: breaks ties, never outvotes a signal
HOP_SOURCES = 20
ARTIST_HOP_SOURCES = 5
ARTIST_TRACKS = 50  # the seed artist's tracks, and each similar artist's
SIMILAR_ARTISTS = 50
EMBED_REASON = reason("embedding", "in playlists like the seed's")
SAME_ARTIST_REASON = reason("same_artist", "same artist")

Counted = list[tuple[int, int]]  # (track id, playlist count), best first


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Return DEFAULT_WEIGHTS overridden by `weights`; unknown names raise ValueError."""
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
    if unknown:
        known = ", ".join(DEFAULT_WEIGHTS)
        raise ValueError(f"unknown hybrid weight {unknown[0]!r}; known: {known}")
    return {**DEFAULT_WEIGHTS, **weights}


def signal_weights(
    playlist_count: int, weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> dict[str, float]:
    """Return the weight of every switched-on signal for a seed in `playlist_count` playlists."""
    c = RARE_HALF / (RARE_HALF + max(playlist_count, 0))
    base = {f: w for f, w in weights.items() if not f.endswith(RARE_SEED)}
    return {f: w + weights.get(f + RARE_SEED, 0.0) * c for f, w in base.items() if w > 0}


@dataclass(frozen=True)
class Fused:
    """The reciprocal-rank fusion of the weighted signals: one score per distinct track."""

    track_ids: npt.NDArray[np.int64]  # ascending
    scores: npt.NDArray[np.float64]

    def without(self, track_id: int) -> Fused:
        """Return the fusion without `track_id` (the seed)."""
        keep = self.track_ids != track_id
        return Fused(self.track_ids[keep], self.scores[keep])

    def best(self, k: int, scores: npt.NDArray[np.float64] | None = None) -> list[int]:
        """Return the positions of the `k` best scores (default: the fused ones), ties by id."""
        values = self.scores if scores is None else scores
        order = np.lexsort((self.track_ids, -values))
        return order[:k].tolist()


@dataclass(frozen=True)
class Pool:
    """A second stage's candidates: the fusion's best, with the lists and weights behind them."""

    lists: dict[str, Ranked]
    weights: dict[str, float]
    ids: npt.NDArray[np.int64]  # best first
    scores: npt.NDArray[np.float64]  # their fused scores

    def candidates_at(
        self, positions: npt.NDArray[np.intp], scores: Sequence[float]
    ) -> list[Candidate]:
        """Return the candidates at `positions` with new `scores`, each with its reasons."""
        return explained(self.lists, self.weights, self.ids[positions], scores)


def fuse(lists: Mapping[str, Ranked], weights: Mapping[str, float]) -> Fused:
    """Add w_f / (RRF_K + rank) from every weighted signal f listing a track.

    The sums run in signal order, as adding one signal after the other would (same floats).
    """
    ids, gains = [], []
    for name, ranked in lists.items():
        weight = weights.get(name, 0.0)
        if weight > 0 and len(ranked):
            ids.append(ranked.ids)
            gains.append(weight / (RRF_K + np.arange(len(ranked), dtype=np.float64)))
    if not ids:
        return Fused(np.zeros(0, dtype=np.int64), np.zeros(0))
    unique, inverse = np.unique(np.concatenate(ids), return_inverse=True)
    sums = np.bincount(inverse, weights=np.concatenate(gains))
    return Fused(unique, sums.astype(np.float64, copy=False))


def explained(
    lists: Mapping[str, Ranked],
    weights: Mapping[str, float],
    track_ids: npt.NDArray[np.int64],
    scores: Sequence[float],
) -> list[Candidate]:
    """Return the candidates, each with the reason of every weighted signal that lists it.

    A candidate's reasons come in signal order, each once.
    """
    reasons: list[list[Reason]] = [[] for _ in range(track_ids.size)]
    for name, ranked in lists.items():
        if weights.get(name, 0.0) <= 0 or not len(ranked):
            continue
        ranks = ranked.find(track_ids)
        listed = np.flatnonzero(ranks >= 0)
        for slot, why in zip(listed.tolist(), ranked.reason_at(ranks[listed]), strict=True):
            mine = reasons[slot]
            if why not in mine:
                mine.append(why)
    return [
        Candidate(t, score, why)
        for t, score, why in zip(track_ids.tolist(), scores, reasons, strict=True)
    ]


def propagate(
    sources: Sequence[tuple[int, float]], rows: Mapping[int, NeighbourArrays]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Sum (source weight) x (row score / row best) over the sources' neighbour rows.

    Returns the distinct neighbour ids (ascending) and their sums, added in source order.
    """
    ids, gains = [], []
    for source, weight in sources:
        row = rows.get(source)
        best = float(row.scores.max()) if row is not None and row.scores.size else 0.0
        if row is not None and weight > 0 and best > 0:
            ids.append(row.ids)
            gains.append(weight * row.scores / best)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    unique, inverse = np.unique(np.concatenate(ids), return_inverse=True)
    sums = np.bincount(inverse, weights=np.concatenate(gains))
    return unique, sums.astype(np.float64, copy=False)


def _best_order(
    ids: npt.NDArray[np.int64], scores: npt.NDArray[np.float64], exclude: int
) -> npt.NDArray[np.intp]:
    """Return the positions of the positive scores, best first (ties by id), without `exclude`."""
    kept = np.flatnonzero((scores > 0) & (ids != exclude))
    return kept[np.lexsort((ids[kept], -scores[kept]))]


def _best_first(
    scored: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]], exclude: int
) -> npt.NDArray[np.int64]:
    """Return the tracks with a positive score, best first (ties by id), without `exclude`."""
    ids, scores = scored
    return ids[_best_order(ids, scores, exclude)]


class HybridMatcher(Matcher):
    """Fuse the seed's co-occurrence, embedding and artist signals by reciprocal rank."""

    name = "hybrid"
    description = (
        "Tracks played with the seed and with its neighbours, blended with the "
        "artist's own and similar artists' hits; rare seeds lean more on their artist."
    )
    signals: ClassVar[tuple[str, ...]] = (
        "track_neighbours:cooc",
        "track_neighbours:embed",
        "artist_neighbours:cooc",
        "catalog",
    )

    def __init__(self, index: IndexReads, weights: Mapping[str, float] | None = None) -> None:
        super().__init__(index)
        self.weights = check_weights(weights or {})

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Fuse every signal's ranking by reciprocal rank, then break ties by popularity."""
        lists = self.signal_lists(seed, k)
        weights = signal_weights(seed.playlist_count, self.weights)
        fused = fuse(lists, weights).without(seed.track_id)
        scores = self._break_ties(fused, k)
        picks = fused.best(k, scores)
        return explained(lists, weights, fused.track_ids[picks], scores[picks].tolist())

    def pool(self, seed: Seed, depth: int) -> Pool:
        """Return every signal's ranked list and the fusion's best `depth` (seed left out)."""
        lists = self.signal_lists(seed, depth)
        weights = self.fusion_weights(seed)
        fused = fuse(lists, weights).without(seed.track_id)
        picks = fused.best(depth)
        return Pool(lists, weights, fused.track_ids[picks], fused.scores[picks])

    def fusion_weights(self, seed: Seed) -> dict[str, float]:
        """Return the weight of each list `pool` adds up (a second stage may add lists)."""
        return signal_weights(seed.playlist_count, self.weights)

    def signal_lists(self, seed: Seed, k: int) -> dict[str, Ranked]:
        """Return each signal's ranked candidates (never the seed), in five batched reads."""
        rows = self.index.track_neighbours([seed.track_id], ("cooc", "embed"))
        mine = [n for n in rows.get(seed.track_id, []) if n.neighbour_id != seed.track_id]
        direct = [n for n in mine if n.kind == "cooc"]
        similar = self._similar_artists(seed)
        artists = [*seed.artist_ids[:1], *(n.neighbour_id for n in similar)]
        tops = self.index.artist_top_track_arrays(artists, ARTIST_TRACKS)
        own = _counted(tops.get(artists[0]) if seed.artist_ids else None, seed.track_id)
        names = self.index.artist_names(artists)
        lists: dict[str, Ranked] = {
            "cooccurrence": counted_reasons(
                [n.neighbour_id for n in direct], [n.support for n in direct], playlists_reason
            ),
            **self._hops(seed, direct, own, names.get(artists[0]) if artists else None),
            "embedding": Ranked.alike(
                [n.neighbour_id for n in mine if n.kind == "embed"], EMBED_REASON
            ),
            "same_artist": Ranked.alike([t for t, _ in own], SAME_ARTIST_REASON),
            "similar_artists": _similar_artist_tracks(seed, similar, tops, names),
        }
        if not direct:
            lists.update(self._fallbacks(seed, k))
        return lists

    def _similar_artists(self, seed: Seed) -> list[Neighbour]:
        if seed.primary_artist_id is None:
            return []
        rows = self.index.artist_neighbours([seed.primary_artist_id], "cooc", SIMILAR_ARTISTS)
        found = rows.get(seed.primary_artist_id, [])
        return [n for n in found if n.neighbour_id not in seed.artist_ids]

    def _hops(
        self, seed: Seed, direct: Sequence[Neighbour], own: Counted, artist_name: str | None
    ) -> dict[str, Ranked]:
        """Return "two_hop" (via the seed's neighbours) and "artist_hits_neighbours": one read."""
        via_seed = [(n.neighbour_id, n.score) for n in direct[:HOP_SOURCES]]
        most = max((count for _, count in own[:ARTIST_HOP_SOURCES]), default=0)
        via_artist = [(t, count / most) for t, count in own[:ARTIST_HOP_SOURCES] if most > 0]
        sources = [t for t, _ in (*via_seed, *via_artist)]
        rows = self.index.track_neighbour_arrays(sources, "cooc")
        who = artist_name or "the seed artist"
        artist_reason = reason("artist_cooccurrence", f"often in playlists with {who}'s hits")
        return {
            "two_hop": Ranked.alike(
                _best_first(propagate(via_seed, rows), seed.track_id), HOP_REASON
            ),
            "artist_hits_neighbours": Ranked.alike(
                _best_first(propagate(via_artist, rows), seed.track_id), artist_reason
            ),
        }

    def _fallbacks(self, seed: Seed, k: int) -> dict[str, Ranked]:
        """Rank by tags and by sound, for a seed that no playlist holds yet."""
        return {
            name: Ranked.from_pairs(
                (c.track_id, c.reasons[0]) for c in matcher(self.index).rank(seed, k)
            )
            for name, matcher in (("tags", TagsMatcher), ("audio", AudioMatcher))
            if self.weights.get(name, 0.0) > 0
        }

    def _break_ties(self, fused: Fused, k: int) -> npt.NDArray[np.float64]:
        """Return the scores plus the popularity term, for the tracks it could lift into top k."""
        scores = fused.scores.copy()
        top_count = self.index.popularity_thresholds().max_playlist_count if scores.size else 0
        if top_count <= 0:
            return scores
        kth = np.partition(scores, scores.size - min(k, scores.size))[-min(k, scores.size)]
        contenders = np.flatnonzero(scores >= kth - POPULARITY_WEIGHT)  # the rest stays out
        ids = fused.track_ids[contenders].tolist()
        counts = self.index.playlist_counts(ids)
        found = np.asarray([counts.get(t, 0) for t in ids])
        scores[contenders] += POPULARITY_WEIGHT * found / top_count
        return scores


def _counted(tracks: TrackCounts | None, exclude: int) -> Counted:
    """Return an artist's top tracks as (track id, playlist count) pairs, without `exclude`."""
    if tracks is None:
        return []
    pairs = zip(tracks.ids.tolist(), tracks.counts.tolist(), strict=True)
    return [(t, n) for t, n in pairs if t != exclude]


def _similar_artist_tracks(
    seed: Seed,
    similar: Sequence[Neighbour],
    tops: Mapping[int, TrackCounts],
    names: Mapping[int, str],
) -> Ranked:
    """Rank similar artists' top tracks by (artist score / best) x (count / that artist's top).

    A track's reason names the artist that gave it the largest share (the first on a tie).
    """
    best = max((n.score for n in similar), default=0.0)
    listed = [(n, tops[n.neighbour_id]) for n in similar if n.neighbour_id in tops]
    listed = [(n, counted) for n, counted in listed if counted.ids.size] if best > 0 else []
    if not listed:
        return Ranked.empty()
    sizes = np.fromiter((c.ids.size for _, c in listed), dtype=np.int64, count=len(listed))
    counts = np.concatenate([c.counts for _, c in listed])
    most = np.repeat(np.maximum.reduceat(counts, np.cumsum(sizes) - sizes), sizes)
    keep = most > 0  # an artist whose tracks are in no playlist adds nothing
    if not keep.any():
        return Ranked.empty()
    factor = np.repeat([n.score / best for n, _ in listed], sizes)[keep]
    share = factor * counts[keep].astype(np.float64) / most[keep]
    track = np.concatenate([c.ids for _, c in listed])[keep]
    by = np.repeat([n.neighbour_id for n, _ in listed], sizes)[keep]
    unique, inverse = np.unique(track, return_inverse=True)
    sums = np.bincount(inverse, weights=share).astype(np.float64, copy=False)
    order = np.lexsort((np.arange(track.size), -share, track))  # per track: largest share first
    strongest = by[order[np.r_[True, track[order][1:] != track[order][:-1]]]]  # as `unique`
    picked = _best_order(unique, sums, seed.track_id)
    artists, which = np.unique(strongest[picked], return_inverse=True)
    reasons = tuple(
        reason("similar_artist", f"similar artist: {name}", artist=name)
        for name in (names.get(a, "?") for a in artists.tolist())
    )
    return Ranked(unique[picked], reasons, which.astype(np.intp, copy=False))
