"""The audio matcher: tracks that sound alike (energy, tempo, mood) by their audio features."""

from __future__ import annotations

import math

from musaic.matching.base import Candidate, Matcher, Seed, reason, top_k
from musaic.matching.types import TrackInfo

# Typical spread of each feature, so one unit of distance means roughly the same everywhere.
FEATURE_SCALES = {
    "danceability": 0.15,
    "energy": 0.18,
    "valence": 0.23,
    "acousticness": 0.25,
    "speechiness": 0.1,
    "instrumentalness": 0.22,
    "tempo": 28.0,
    "loudness": 3.0,
}
FEATURE_WORDS = {"valence": "mood", "danceability": "danceability", "tempo": "tempo"}
ON_THE_FLY_POOL = 2000


def distance(a: dict[str, float], b: dict[str, float]) -> float:
    """Return the scaled euclidean distance over the features both tracks have."""
    shared = [name for name in FEATURE_SCALES if name in a and name in b]
    if not shared:
        return math.inf
    return math.sqrt(sum(((a[n] - b[n]) / FEATURE_SCALES[n]) ** 2 for n in shared))


def audio_reason(seed: dict[str, float], other: dict[str, float] | None) -> dict[str, object]:
    """Explain an audio match by the two features where the tracks are closest."""
    if not other:
        return reason("audio", "sounds alike", features=[])
    shared = [n for n in FEATURE_SCALES if n in seed and n in other]
    closest = sorted(shared, key=lambda n: abs(seed[n] - other[n]) / FEATURE_SCALES[n])[:2]
    words = " and ".join(FEATURE_WORDS.get(n, n) for n in closest)
    return reason("audio", f"close in {words}", features=closest)


class AudioMatcher(Matcher):
    """Rank tracks by audio-feature distance to the seed (stored neighbours, else on the fly)."""

    name = "audio"
    description = "Tracks that sound alike: close in energy, tempo, mood and danceability."
    signals = ("audio_features", "track_neighbours:audio")

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Rank the seed's stored audio neighbours, or compute them over a bounded pool."""
        if seed.features is None:
            return []
        stored = self.index.track_neighbours([seed.track_id], "audio").get(seed.track_id, [])
        if stored:
            infos = self.index.track_infos(n.neighbour_id for n in stored)
            pool = {
                n.neighbour_id: Candidate(
                    n.neighbour_id,
                    n.score,
                    [audio_reason(seed.features, _features_of(infos.get(n.neighbour_id)))],
                )
                for n in stored
                if n.neighbour_id != seed.track_id
            }
            return top_k(pool, k)
        return self._on_the_fly(seed, seed.features, k)

    def _on_the_fly(self, seed: Seed, features: dict[str, float], k: int) -> list[Candidate]:
        pool: dict[int, Candidate] = {}
        for info in self.index.audio_candidates(features, ON_THE_FLY_POOL):
            if info.id == seed.track_id or info.features is None:
                continue
            score = 1.0 / (1.0 + distance(features, info.features))
            pool[info.id] = Candidate(info.id, score, [audio_reason(features, info.features)])
        return top_k(pool, k)


def _features_of(info: TrackInfo | None) -> dict[str, float] | None:
    return info.features if info else None
