"""Seeded synthetic playlist catalogs in the MPD slice format, at a multiple of the demo size.

Shape (1x ~ the demo's MPD part: 6,000 playlists, ~594k entries): artists belong to communities
(scenes); each artist's tracks get a power-law popularity; a playlist picks one community
(itself power-law popular), draws 80 % of its tracks from that community and 20 % from the
whole catalog, both by popularity, with a log-normal length (median 125 drawn, 5..250; ~100
distinct tracks kept per playlist).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

PLAYLISTS = 6_000  # per 1x
TRACKS = 180_000  # per 1x: the universe the playlists draw from (not all get drawn)
ARTISTS = 30_000
COMMUNITIES = 300
LOCAL_SHARE = 0.8
ZIPF = 0.8  # popularity exponent


@dataclass(frozen=True)
class Universe:
    """Tracks grouped by community, with cumulative popularity for weighted draws."""

    artist_of: npt.NDArray[np.int64]  # track -> artist
    cumulative: npt.NDArray[np.float64]  # cumulative popularity over tracks in community order
    community_start: npt.NDArray[np.int64]  # first track of each community (+ end sentinel)
    community_weight: npt.NDArray[np.float64]  # how often a playlist picks each community


def universe(size: int, rng: np.random.Generator) -> Universe:
    """Return the track universe of a `size`x catalog."""
    n_tracks, n_artists, n_comm = TRACKS * size, ARTISTS * size, COMMUNITIES * size
    artist_community = np.sort(rng.integers(0, n_comm, n_artists))
    artist_of = np.sort(rng.integers(0, n_artists, n_tracks))  # tracks in community order
    popularity = 1.0 / np.power(rng.permutation(n_tracks) + 1.0, ZIPF)
    community_of = artist_community[artist_of]
    starts = np.searchsorted(community_of, np.arange(n_comm + 1))
    weight = 1.0 / np.power(rng.permutation(n_comm) + 1.0, 0.6)
    return Universe(artist_of, np.cumsum(popularity), starts, weight / weight.sum())


def _draw(u: Universe, community: int, count: int, rng: np.random.Generator) -> list[int]:
    """Draw `count` distinct-ish tracks: most from `community`, the rest from anywhere."""
    local = round(count * LOCAL_SHARE)
    lo, hi = u.community_start[community], u.community_start[community + 1]
    picks = []
    if hi > lo and local:
        base = u.cumulative[lo - 1] if lo > 0 else 0.0
        span = u.cumulative[hi - 1] - base
        picks.append(np.searchsorted(u.cumulative, base + rng.random(local) * span, side="right"))
    far = rng.random(count - local) * u.cumulative[-1]
    picks.append(np.searchsorted(u.cumulative, far, side="right"))
    drawn = np.minimum(np.concatenate(picks), u.cumulative.size - 1)
    return list(dict.fromkeys(drawn.tolist()))  # a playlist holds a track once


def _spotify_id(kind: str, number: int) -> str:
    """Return a 22-character id unique per (kind, number)."""
    return f"{kind}{number:021d}"


def _entry(track: int, artist: int) -> str:
    """Return one MPD track object as JSON text."""
    return json.dumps(
        {
            "track_uri": f"spotify:track:{_spotify_id('t', track)}",
            "track_name": f"Song {track}",
            "artist_name": f"Artist {artist}",
            "artist_uri": f"spotify:artist:{_spotify_id('a', artist)}",
            "album_name": f"Album {artist}-{track % 7}",
            "album_uri": f"spotify:album:{_spotify_id('b', artist * 7 + track % 7)}",
            "duration_ms": 120_000 + track % 180_000,
        }
    )


def playlists(size: int, seed: int = 2026) -> tuple[Universe, Iterator[tuple[int, list[int]]]]:
    """Return a `size`x catalog's universe and its (community, tracks) playlists, seeded."""
    rng = np.random.default_rng(seed + size)
    u = universe(size, rng)
    n_playlists = PLAYLISTS * size
    lengths = np.clip(rng.lognormal(np.log(125), 0.6, n_playlists), 5, 250).astype(int)
    communities = rng.choice(u.community_weight.size, n_playlists, p=u.community_weight)

    def drawn() -> Iterator[tuple[int, list[int]]]:
        for pid in range(n_playlists):
            community = int(communities[pid])
            yield community, _draw(u, community, int(lengths[pid]), rng)

    return u, drawn()


def write_catalog(
    size: int, path: Path, seed: int = 2026, slice_size: int | None = None
) -> dict[str, int]:
    """Write a `size`x synthetic MPD catalog; return its playlist/entry/track counts.

    One slice file at `path`, or with `slice_size` a folder `path` of slice files of that many
    playlists each, named as the MPD's (`mpd.slice.0-999.json`, ...).
    """
    u, drawn = playlists(size, seed)
    entries, seen, n_playlists = 0, np.zeros(u.artist_of.size, dtype=bool), PLAYLISTS * size
    per_file = slice_size or n_playlists
    if slice_size:
        path.mkdir(parents=True, exist_ok=True)
    out = None
    for pid, (community, tracks) in enumerate(drawn):
        if pid % per_file == 0:
            last = min(pid + per_file, n_playlists) - 1
            name = path / f"mpd.slice.{pid}-{last}.json" if slice_size else path
            out = name.open("w")
            out.write('{"info": {"generated_by": "benchmarks.synthetic"}, "playlists": [\n')
        assert out is not None
        seen[tracks] = True
        entries += len(tracks)
        body = ", ".join(_entry(t, int(u.artist_of[t])) for t in tracks)
        out.write(f'{{"pid": {pid}, "name": "Scene {community}", "tracks": [{body}]}}')
        if pid % per_file == per_file - 1 or pid == n_playlists - 1:
            out.write("\n]}\n")
            out.close()
        else:
            out.write(",\n")
    return {"playlists": n_playlists, "entries": entries, "tracks": int(seen.sum())}
