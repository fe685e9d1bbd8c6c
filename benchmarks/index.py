"""Index build benchmark: time and peak memory of `musaic index build`, per stage."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from musaic import create_app
from musaic.extensions import db
from musaic.services.index import BuildOptions, build_index


def run(database_url: str | None, k: int, method: str) -> dict[str, Any]:
    """Build the index once on the given database and return its stats."""
    settings: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": database_url} if database_url else {}
    app = create_app(**settings)
    with app.app_context():
        stats = build_index(BuildOptions(k=k, method=method))
        return {"database": db.engine.dialect.name, **stats}


def format_table(report: dict[str, Any]) -> str:
    """Return the stages, row counts and totals as text."""
    lines = [f"{report['database']}: {report['method']} k={report['k']}"]
    lines.append(f"{'stage':22s} {'seconds':>9s} {'peak MiB':>9s}")
    for stage in report["stages"]:
        lines.append(f"{stage['stage']:22s} {stage['seconds']:9.2f} {stage['peak_mb']:9.0f}")
    for name, count in report["counts"].items():
        lines.append(f"{name:22s} {count:>19,} rows")
    lines.append(f"{'total':22s} {report['seconds']:9.2f} {report['peak_mb']:9.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark, print the table and the JSON (and write it with --json)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks index")
    parser.add_argument("--database-url", help="default: DATABASE_URL / the development DB")
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--method", default="rp3beta")
    parser.add_argument("--json", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    report = run(args.database_url, args.k, args.method)
    print(format_table(report))
    print(json.dumps(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
