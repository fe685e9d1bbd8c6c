"""Import benchmark: wall time and peak memory of importing the demo datasets, twice each."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DATASETS = (
    "tidytuesday_spotify_songs/spotify_songs.csv.gz",
    "mpd_subset_followers10/mpd_dev.json.gz",
)

# Each import runs in its own process so its peak RSS is its own, not the benchmark's.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
from musaic import create_app
from musaic.services.catalog import import_file
app = create_app(SQLALCHEMY_DATABASE_URI=sys.argv[1])
with app.app_context():
    started = time.perf_counter()
    summary = import_file(Path(sys.argv[2]))
    seconds = time.perf_counter() - started
tallies = {name: vars(tally) for name, tally in summary.tallies.items()}
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
report = {"seconds": seconds, "peak_mb": peak_mb, "read": summary.read, "tallies": tallies}
print(json.dumps(report))
"""


def _migrate(database_url: str) -> None:
    code = (
        "import sys; from flask_migrate import upgrade; from musaic import create_app\n"
        "app = create_app(SQLALCHEMY_DATABASE_URI=sys.argv[1])\n"
        "with app.app_context(): upgrade()"
    )
    subprocess.run([sys.executable, "-c", code, database_url], check=True, capture_output=True)


def _import(database_url: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, database_url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(database_url: str, data_dir: Path) -> list[dict[str, Any]]:
    """Import each dataset into `database_url` (an EMPTY database), then again; return timings."""
    _migrate(database_url)
    results = []
    for attempt in ("first", "again"):
        for relative in DATASETS:
            outcome = _import(database_url, data_dir / relative)
            results.append({"file": Path(relative).name, "run": attempt, **outcome})
    return results


def format_table(results: list[dict[str, Any]]) -> str:
    """Return one line per import: time, peak memory, tracks created and unchanged."""
    lines = [
        f"{'file':24s} {'run':6s} {'seconds':>8s} {'peak MB':>8s} {'created':>8s} {'same':>8s}"
    ]
    for row in results:
        tracks = row["tallies"].get("tracks", {})
        lines.append(
            f"{row['file']:24s} {row['run']:6s} {row['seconds']:8.1f} {row['peak_mb']:8.0f}"
            f" {tracks.get('created', 0):8d} {tracks.get('unchanged', 0):8d}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on a fresh database and print the table and the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks imports")
    parser.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite)")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/imports.sqlite3"
        results = run(url, args.data_dir)
    print(format_table(results))
    print(json.dumps({"database_url": url.split("@")[-1], "imports": results}, indent=2))
