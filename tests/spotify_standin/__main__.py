"""Run the Spotify stand-in for local development: python -m tests.spotify_standin --port 8888."""

from __future__ import annotations

import argparse
import threading

from tests.spotify_standin.server import DEFAULT_CSV, SpotifyStandIn


def main() -> None:
    """Parse arguments, start the stand-in and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--data", default=str(DEFAULT_CSV), help="spotify_songs.csv(.gz)")
    parser.add_argument("--rows", type=int, default=None, help="load only the first N rows")
    parser.add_argument("--client-id", default="musaic-standin-client")
    parser.add_argument("--client-secret", default="musaic-standin-secret")
    args = parser.parse_args()
    standin = SpotifyStandIn(
        data_path=args.data,
        row_limit=args.rows,
        client_id=args.client_id,
        client_secret=args.client_secret,
        host=args.host,
        port=args.port,
    )
    standin.start()
    print(f"Spotify stand-in: {len(standin.catalog.tracks)} tracks")
    print(f"  SPOTIFY_API_BASE_URL={standin.api_base_url}")
    print(f"  SPOTIFY_ACCOUNTS_BASE_URL={standin.accounts_base_url}")
    print(f"  SPOTIFY_CLIENT_ID={args.client_id} SPOTIFY_CLIENT_SECRET={args.client_secret}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
