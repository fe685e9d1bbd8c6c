"""Round 3: the learned stage's request cost as process CPU time, robust to a loaded machine.

Usage: DATABASE_URL=sqlite:////tmp/quality/q7/demo.sqlite3 PYTHONPATH=. \
    .venv/bin/python research/ranked_cpu.py [--seeds 100]

For the benchmark's seeds (benchmarks.generation.pick_seeds), ranks each seed with `hybrid` and
`ranked` alternately at the service's depth (length 30 x 4) and prints the median process CPU
time of each: wall time on two shared cores measures the other sessions as much as the code.
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.generation import pick_seeds
from musaic import create_app
from musaic.matching.index_reader import IndexReader
from musaic.matching.registry import MATCHERS

DEPTH = 120


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        from musaic.extensions import db

        _, seeds = pick_seeds(args.seeds)
        times: dict[str, list[float]] = {"hybrid": [], "ranked": []}
        first = IndexReader(db.session).seed(seeds[0])
        for name in times:  # warm: the model and popularity bands load once per process
            if first is not None:
                MATCHERS[name](IndexReader(db.session)).rank(first, DEPTH)
        for track_id in seeds:
            for name, spent in times.items():
                reads = IndexReader(db.session)
                seed = reads.seed(track_id)
                if seed is None:
                    continue
                start = time.process_time()
                MATCHERS[name](reads).rank(seed, DEPTH)
                spent.append((time.process_time() - start) * 1000)
        for name, spent in times.items():
            print(f"{name}: median {statistics.median(spent):.1f} ms CPU over {len(spent)} seeds")


if __name__ == "__main__":
    main()
