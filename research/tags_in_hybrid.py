"""Round 3: is the tags list worth fusing for every seed, not only for seeds without playlists?

Usage: DATABASE_URL=sqlite:////tmp/q7g/demo.sqlite3 PYTHONPATH=. \
    .venv/bin/python research/tags_in_hybrid.py /tmp/q7/test.json.gz [--weights 0.05 0.1 0.2]

Scores the hybrid as it is against a hybrid that always adds the tags matcher's ranking at the
given weights, on held-out playlists (the evaluation's cases and metrics, normal mode).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from musaic import create_app
from musaic.evaluation.cases import build_cases, load_keys
from musaic.evaluation.metrics import aggregate, playlist_metrics
from musaic.evaluation.playlists import read_playlists
from musaic.extensions import db
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.hybrid import HybridMatcher
from musaic.matching.matchers.tags import TagsMatcher
from musaic.matching.reads import IndexReads
from musaic.matching.signals import Ranked
from musaic.matching.types import Seed


class AlwaysTagged(HybridMatcher):
    """The hybrid with the tags list fused for every seed at weight `tags`."""

    def __init__(self, index: IndexReads, tags: float) -> None:
        super().__init__(index, {"tags": tags})
        self.tags = TagsMatcher(index)

    def signal_lists(self, seed: Seed, k: int) -> dict[str, Ranked]:
        lists = super().signal_lists(seed, k)
        if "tags" not in lists:
            lists["tags"] = Ranked.from_pairs(
                (c.track_id, c.reasons[0]) for c in self.tags.rank(seed, k)
            )
        return lists


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("playlists", type=Path)
    parser.add_argument("--weights", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        session = db.session()
        keys = load_keys(session)
        cases, _ = build_cases(read_playlists(args.playlists, None), keys)
        reads = IndexReader(session)
        matchers: dict[str, HybridMatcher] = {"hybrid": HybridMatcher(reads)}
        for w in args.weights:
            matchers[f"hybrid + tags x {w}"] = AlwaysTagged(reads, w)
        rows: dict[str, list[dict[str, float]]] = {name: [] for name in matchers}
        for case in cases:
            seed = reads.seed(case.seed)
            if seed is None:
                continue
            for name, matcher in matchers.items():
                ranked = [c.track_id for c in matcher.rank(seed, 100)]
                rows[name].append(playlist_metrics(ranked, set(case.targets), keys.artist_of, 100))
        for name, per_case in rows.items():
            m = aggregate(per_case)
            print(f"{name:28s} ndcg {m['ndcg@100']:.4f} rprec {m['r_precision']:.4f}")


if __name__ == "__main__":
    main()
