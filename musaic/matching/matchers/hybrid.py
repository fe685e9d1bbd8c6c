"""The hybrid matcher (the default): a weighted blend of every other matcher's scores."""

from __future__ import annotations

from musaic.matching.base import Candidate, Matcher, Seed, top_k
from musaic.matching.matchers.artist import ArtistMatcher
from musaic.matching.matchers.audio import AudioMatcher
from musaic.matching.matchers.cooccurrence import CooccurrenceMatcher
from musaic.matching.matchers.tags import TagsMatcher

# How much each source counts once its scores are max-normalised to 0..1. Co-occurrence (what
# people actually play together) leads; the artist, tags and audio signals fill in and take over
# when the seed is in no playlist. A missing signal simply contributes nothing, so the blend
# degrades to what is there. Tune from the offline evaluation (scripts/research_eval.py).
WEIGHTS: dict[str, float] = {
    "cooccurrence": 1.0,
    "artist": 0.5,
    "tags": 0.2,
    "audio": 0.2,
}
SAME_ARTIST_BOOST = 0.1  # added when a candidate shares an artist with the seed
SOURCES: tuple[type[Matcher], ...] = (
    CooccurrenceMatcher,
    ArtistMatcher,
    TagsMatcher,
    AudioMatcher,
)
SOURCE_DEPTH = 2  # each source ranks k * SOURCE_DEPTH, so the blend has room to reorder


class HybridMatcher(Matcher):
    """Blend co-occurrence, artist, tags and audio candidates into one ranking."""

    name = "hybrid"
    description = (
        "The default: playlist co-occurrence blended with artist similarity, tags and sound; "
        "falls back on whichever signals the seed has."
    )
    signals = ("track_neighbours:cooc", "artist_neighbours", "artist_tags", "audio_features")

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Rank the weighted sum of every source's max-normalised scores, merging reasons."""
        pool: dict[int, Candidate] = {}
        for source in SOURCES:
            weight = WEIGHTS.get(source.name, 0.0)
            if weight <= 0:
                continue
            ranked = source(self.index).rank(seed, k * SOURCE_DEPTH)
            best = max((c.score for c in ranked), default=0.0)
            for candidate in ranked:
                share = weight * candidate.score / best if best > 0 else 0.0
                merged = pool.setdefault(candidate.track_id, Candidate(candidate.track_id, 0.0))
                merged.score += share
                merged.reasons.extend(r for r in candidate.reasons if r not in merged.reasons)
        self._boost_same_artist(seed, pool)
        return top_k(pool, k)

    @staticmethod
    def _boost_same_artist(seed: Seed, pool: dict[int, Candidate]) -> None:
        for candidate in pool.values():
            if any(r["code"] == "same_artist" for r in candidate.reasons):
                candidate.score += SAME_ARTIST_BOOST
