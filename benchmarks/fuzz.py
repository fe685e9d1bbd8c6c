"""Schemathesis, larger budget: `python -m benchmarks fuzz --database-url URL [--examples 50]`.

Starts the Spotify stand-in and one gunicorn instance (the tests' command) on the given database,
which should hold a catalog, and runs every check with the fixed seed of the fuzz test.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> None:
    """Fuzz a gunicorn instance on `--database-url`; exit non-zero on any failure."""
    from tests.conftest import spotify_settings
    from tests.production.servers import Gunicorn, run_schemathesis
    from tests.spotify_standin import SpotifyStandIn

    parser = argparse.ArgumentParser(prog="python -m benchmarks fuzz")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--examples", type=int, default=50, help="per operation and phase")
    args = parser.parse_args(argv)
    env = {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "LOG_LEVEL": "ERROR"}
    with SpotifyStandIn(row_limit=3000) as standin:  # Spotify login and lookups, on loopback
        server = Gunicorn(env)
        spotify = spotify_settings(standin, f"{server.url}/api/auth/callback")
        server.env.update({name: str(value) for name, value in spotify.items()})
        server.start()
        try:
            done = run_schemathesis(server.url, min(args.examples, 1000), timeout_s=3600)
        finally:
            server.stop()
    print(done.stdout)
    sys.exit(done.returncode)
