"""Round 3: ranking for a seed whose artist is new (only tags and sound to go on).

Usage: DATABASE_URL=sqlite:////tmp/q7g/demo.sqlite3 PYTHONPATH=. \
    .venv/bin/python research/cold_artist.py /tmp/q7/test.json.gz

Scores, in the `musaic eval --cold-artist` view (musaic/evaluation/cold.py), the tag-neighbour
rankings below against the popularity baseline, with the evaluation's cases and metrics.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

from musaic import create_app
from musaic.evaluation.cases import build_cases, load_keys
from musaic.evaluation.cold import ColdArtistReads
from musaic.evaluation.metrics import aggregate, playlist_metrics
from musaic.evaluation.playlists import read_playlists
from musaic.evaluation.rankers import baseline_rankers
from musaic.extensions import db
from musaic.matching.base import Candidate, add_candidate, reason, top_k
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.audio import AudioMatcher
from musaic.matching.matchers.hybrid import HybridMatcher
from musaic.matching.matchers.tags import TagsMatcher
from musaic.matching.reads import IndexReads
from musaic.matching.signals import Ranked
from musaic.matching.types import Seed


class Stop17Tags(TagsMatcher):
    """The tags matcher before this round: similarity x 0.85^rank over 30 artists x 5 tracks."""

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        artists = tag_artists(self.index, seed, 30)
        tops = self.index.artist_top_tracks(list(artists), per_artist=5)
        pool: dict[int, Candidate] = {}
        why = reason("tags", "tagged like the seed")
        for artist_id, similarity in artists.items():
            for i, track_id in enumerate(tops.get(artist_id, [])):
                if track_id != seed.track_id:
                    add_candidate(pool, track_id, similarity * 0.85**i, why)
        return top_k(pool, k)


class Stop17Hybrid(HybridMatcher):
    """The hybrid before this round: Stop17Tags and audio at 0.2 as the fallbacks."""

    def __init__(self, index: IndexReads) -> None:
        super().__init__(index, {"audio": 0.2})

    def _fallbacks(self, seed: Seed, k: int) -> dict[str, Ranked]:
        old = {"tags": Stop17Tags(self.index), "audio": AudioMatcher(self.index)}
        return {
            name: Ranked.from_pairs((c.track_id, c.reasons[0]) for c in m.rank(seed, k))
            for name, m in old.items()
        }


def tag_artists(reads: IndexReads, seed: Seed, limit: int) -> dict[int, float]:
    """The stored "tags" neighbours of the seed's artists, similarity over the best."""
    rows = reads.artist_neighbours(seed.artist_ids, ["tags"], limit=limit)
    found = [n for r in rows.values() for n in r if n.neighbour_id not in seed.artist_ids]
    best = max((n.score for n in found), default=0.0)
    sims: dict[int, float] = {}
    for n in found:
        sims[n.neighbour_id] = max(sims.get(n.neighbour_id, 0.0), n.score / best)
    return sims


def weighted(
    reads: IndexReads,
    artists: int,
    tracks: int,
    sim_power: float,
    pop_power: float,
    plus_one: bool = False,
    summed: bool = False,
) -> Callable[[Seed, int], list[int]]:
    """Score = sim^a x (count / artist's top count)^b, over `artists` x `tracks`."""

    def rank(seed: Seed, k: int) -> list[int]:
        sims = tag_artists(reads, seed, artists)
        tops = reads.artist_top_tracks_counted(list(sims), tracks)
        scores: dict[int, float] = {}
        for artist, listed in tops.items():
            for track, count in listed:
                if track == seed.track_id:
                    continue
                pop = (1.0 if plus_one else 0.0) + math.log1p(count)
                value = sims[artist] ** sim_power * pop**pop_power
                before = scores.get(track, 0.0)
                scores[track] = before + value if summed else max(before, value)
        return sorted(scores, key=lambda t: (-scores[t], t))[:k]

    return rank


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("playlists")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        session = db.session()
        keys = load_keys(session)
        cases, _ = build_cases(read_playlists(Path(args.playlists), None), keys)
        cold = ColdArtistReads(IndexReader(session))
        popularity = baseline_rankers(session, keys.artist_of)["popularity"]
        tags = TagsMatcher(cold)
        before, hybrid_before = Stop17Tags(cold), Stop17Hybrid(cold)
        variants: dict[str, Callable[[Seed, int], list[int]]] = {
            "tags (matcher)": lambda s, k: [c.track_id for c in tags.rank(s, k)],
            "tags, stop 17": lambda s, k: [c.track_id for c in before.rank(s, k)],
            "hybrid, stop 17": lambda s, k: [c.track_id for c in hybrid_before.rank(s, k)],
        }

        def filled(s: Seed, k: int) -> list[int]:
            found = [c.track_id for c in tags.rank(s, k)]
            seen = set(found)
            fill = [t for t in popularity(s.track_id, 2 * k) if t not in seen]
            return found + fill[: k - len(found)]

        variants["tags, then the catalog's hits"] = filled
        empty = sum(1 for c in cases if not tags.rank(cold.seed(c.seed), 100))  # type: ignore[arg-type]
        print(f"cases with no tags ranking: {empty} of {len(cases)}")
        for weights in ({}, {"audio": 0.05}, {"audio": 0.2}):
            hybrid = HybridMatcher(cold, weights)
            variants[f"hybrid {weights}"] = lambda s, k, h=hybrid: [
                c.track_id for c in h.rank(s, k)
            ]
        for artists, tracks, a, b, plus, summed in [
            (30, 5, 1.0, 0.0, False, False),
            (50, 10, 1.0, 1.0, False, False),
            (50, 10, 1.0, 1.0, True, False),
            (50, 10, 1.0, 1.0, True, True),
            (50, 10, 1.0, 1.5, True, False),
            (50, 15, 1.0, 1.5, True, False),
        ]:
            label = f"sim^{a} x ({int(plus)}+log1p(count))^{b}{' sum' if summed else ''}, "
            variants[label + f"{artists} x {tracks}"] = weighted(
                cold, artists, tracks, a, b, plus, summed
            )
        rows: dict[str, list[dict[str, float]]] = {"popularity": [], **{v: [] for v in variants}}
        for case in cases:
            seed = cold.seed(case.seed)
            if seed is None:
                continue
            targets = set(case.targets)
            ranked = popularity(case.seed, 100)
            rows["popularity"].append(playlist_metrics(ranked, targets, keys.artist_of, 100))
            for label, rank in variants.items():
                found = rank(seed, 100)
                rows[label].append(playlist_metrics(found, targets, keys.artist_of, 100))
        for label, per_case in rows.items():
            m = aggregate(per_case)
            print(f"{label:55s} ndcg {m['ndcg@100']:.4f} rprec {m['r_precision']:.4f}")


if __name__ == "__main__":
    main()
