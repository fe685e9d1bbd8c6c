"""Export benchmark: Spotify calls (and time) per export of 30 and 150 tracks, over loopback.

Runs Musaic's export service against the Spotify stand-in (tests/spotify_standin, fed from
../shared/data) on a throw-away SQLite database: first export, unchanged re-export, re-export
with a new name, and a first export whose tracks all lack Spotify ids (resolved by search).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from flask_migrate import upgrade

from musaic import create_app
from musaic.extensions import db
from musaic.services.export import export_to_spotify
from musaic.services.export_details import ExportRequest
from musaic.services.listener import Listener
from musaic.services.tracks import write_spotify_records
from musaic.spotify import SpotifyClient
from tests.catalog_world.builder import add_generated_playlist, add_user
from tests.catalog_world.standin import standin_records
from tests.spotify_standin import SpotifyStandIn

SIZES = (30, 150)


def _template(path: str) -> str:
    parts = path.removeprefix("/v1").split("/")
    if len(parts) > 2 and parts[1] == "playlists":
        parts[2] = "{id}"
    return "/".join(parts)


def _timed_export(standin: SpotifyStandIn, playlist_id: int, listener: Listener, **kw: Any) -> Any:
    tokens = standin.accounts.issue_tokens()
    client = SpotifyClient(standin.api_base_url, lambda: tokens.access_token)
    standin.reset_log()
    started = time.perf_counter()
    result = export_to_spotify(playlist_id, listener, client, ExportRequest(**kw))
    elapsed_ms = (time.perf_counter() - started) * 1000
    calls = [r for r in standin.requests if r.path.startswith("/v1/")]
    return {
        "spotify_calls": len(calls),
        "calls": [f"{r.method} {_template(r.path)}" for r in calls],
        "written": result.written,
        "unresolved": len(result.unresolved),
        "ms": round(elapsed_ms, 1),
    }


def _scenarios(standin: SpotifyStandIn, size: int, listener: Listener) -> dict[str, Any]:
    ids = write_spotify_records(standin_records(standin, size))
    db.session.commit()
    playlist_id = add_generated_playlist(ids, listener.user_id or 0, name=f"Bench {size}")
    report = {
        "first": _timed_export(standin, playlist_id, listener),
        "again_unchanged": _timed_export(standin, playlist_id, listener),
        "again_renamed": _timed_export(standin, playlist_id, listener, name=f"Bench {size} v2"),
    }
    return report


def _resolution(standin: SpotifyStandIn, listener: Listener) -> dict[str, Any]:
    records = standin_records(standin, 230, with_ids=False)[200:]  # not in the catalog yet
    ids = write_spotify_records(records)
    db.session.commit()
    playlist_id = add_generated_playlist(ids, listener.user_id or 0, name="Bench resolve")
    return {
        "first": _timed_export(standin, playlist_id, listener),
        "again": _timed_export(standin, playlist_id, listener),
    }


def run(rows: int) -> dict[str, Any]:
    """Run every scenario on a fresh database and stand-in; return the report."""
    logging.getLogger("musaic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder, SpotifyStandIn(row_limit=rows) as standin:
        app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(folder) / 'b.db'}")
        with app.app_context():
            upgrade()
            listener = Listener(user_id=add_user())
            report = {f"{size}_tracks": _scenarios(standin, size, listener) for size in SIZES}
            report["30_tracks_without_ids"] = _resolution(standin, listener)
            db.engine.dispose()
    return report


def main(argv: list[str]) -> None:
    """Print the calls per export (and timings) as a table, or JSON with --json."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks export", description=__doc__)
    parser.add_argument("--rows", type=int, default=3000, help="stand-in catalog rows")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.rows)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'playlist':<24} {'export':<16} {'calls':>5} {'written':>7} {'unres.':>6} {'ms':>7}")
    for name, scenarios in report.items():
        for scenario, row in scenarios.items():
            print(
                f"{name:<24} {scenario:<16} {row['spotify_calls']:>5} {row['written']:>7} "
                f"{row['unresolved']:>6} {row['ms']:>7.1f}   {', '.join(row['calls'])}"
            )
