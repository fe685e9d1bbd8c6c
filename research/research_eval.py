"""Offline evaluation of similarity methods on MPD playlists held out by hash of pid.

Usage: PYTHONPATH=. .venv/bin/python scripts/research_eval.py [--stage validation|test] [--out DIR]
The validation stage builds on buckets 0-69 and scores 70-84; test builds on 0-84, scores 85-99.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from musaic.evaluation import metrics as ev
from musaic.indexing import similarity as sim

MPD = Path("/work/shared/data/mpd_subset_followers10/mpd_dev.json.gz")
K = 100
SPLITS = {"validation": (70, range(70, 85)), "test": (85, range(85, 100))}
BUCKETS = ((1, 1), (2, 4), (5, 19), (20, 10**9))
Scorer = Callable[[int], np.ndarray]


def bucket_of(pid: int) -> int:
    """Return a stable 0..99 bucket for a playlist id."""
    return int(hashlib.sha1(str(pid).encode()).hexdigest(), 16) % 100


@dataclass
class Data:
    """Train incidence matrices, track->artist map, and held-out (seed, targets) cases."""

    x: sparse.csr_matrix
    a: sparse.csr_matrix
    track_artist: np.ndarray
    cases: list[tuple[int, set[int]]]


def load(stage: str) -> Data:
    """Index tracks/artists, split playlists by bucket and build the held-out cases."""
    with gzip.open(MPD) as f:
        playlists = json.load(f)["playlists"]
    train_max, eval_range = SPLITS[stage]
    track_id: dict[str, int] = {}
    artist_id: dict[str, int] = {}
    artist_of: list[int] = []
    train, held = [], []
    for p in playlists:
        ids = []
        for t in p["tracks"]:
            if t["track_uri"] not in track_id:
                track_id[t["track_uri"]] = len(track_id)
                artist_of.append(artist_id.setdefault(t["artist_name"], len(artist_id)))
            ids.append(track_id[t["track_uri"]])
        b = bucket_of(p["pid"])
        (train if b < train_max else held if b in eval_range else []).append(ids)
    x = sim.incidence_matrix(train, len(track_id))
    track_artist = np.asarray(artist_of, dtype=np.int64)
    a = sim.incidence_matrix(([int(track_artist[t]) for t in ids] for ids in train), len(artist_id))
    known = sim.item_counts(x) > 0
    cases = []
    for ids in held:
        seeds = [t for t in ids if known[t]]
        if seeds and len(set(ids) - {seeds[0]}) > 0:
            cases.append((seeds[0], set(ids) - {seeds[0]}))
    return Data(x, a, track_artist, cases)


def dense_row(table: sim.Neighbours, row: int, n: int) -> np.ndarray:
    """Expand one neighbour-table row to a dense score vector of length n."""
    out = np.zeros(n)
    ok = table.indices[row] >= 0
    out[table.indices[row][ok]] = table.scores[row][ok]
    return out


def maxnorm(v: np.ndarray) -> np.ndarray:
    """Scale a score vector so its maximum is 1 (zero vectors stay zero)."""
    m = v.max() if v.size else 0.0
    return v / m if m > 0 else v


class Signals:
    """Per-seed score vectors read from top-K tables, like a request-time matcher would."""

    def __init__(self, d: Data, track_k: int, artist_k: int, tracks_per_artist: int) -> None:
        self.d, self.n = d, d.x.shape[1]
        self.seeds = np.unique([s for s, _ in d.cases])
        self.row = {int(s): i for i, s in enumerate(self.seeds)}
        self.pop = sim.item_counts(d.x)
        self.track_k = track_k
        seed_artists = np.unique(d.track_artist[self.seeds])
        self.arow = {int(a): i for i, a in enumerate(seed_artists)}
        self.artist_nb = {
            beta: sim.rp3beta_topk(d.a, artist_k, 0.5, beta, items=seed_artists)
            for beta in (0.0, 0.5)
        }
        self.artist_top = self._artist_top_tracks(tracks_per_artist)
        self.tables: dict[str, sim.Neighbours] = {}
        self.builders: dict[str, tuple[Callable[..., sim.Neighbours], dict[str, float]]] = {}
        self.hop: dict[str, tuple[sim.Neighbours, dict[int, int]]] = {}
        self.fanout = 0

    def _artist_top_tracks(self, per_artist: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Return each artist's most frequent tracks and their max-normalised counts."""
        order = np.lexsort((-self.pop, self.d.track_artist))
        arts = self.d.track_artist[order]
        starts = np.searchsorted(arts, np.arange(arts.max() + 2))
        out = {}
        for a in range(arts.max() + 1):
            idx = order[starts[a] : starts[a + 1]][:per_artist]
            idx = idx[self.pop[idx] > 0]
            if idx.size:
                out[a] = (idx, self.pop[idx] / self.pop[idx].max())
        return out

    def track(self, name: str, seed: int) -> np.ndarray:
        """Return the seed's row of a track-track table (built lazily for all seeds)."""
        return dense_row(self.tables[name], self.row[seed], self.n)

    def add_table(self, name: str, build: Callable[..., sim.Neighbours], **kw: float) -> None:
        """Build a track-track table for the seed rows with the given method."""
        self.tables[name] = build(self.d.x, self.track_k, items=self.seeds, **kw)
        self.builders[name] = (build, kw)

    def add_hop_rows(self, name: str, fanout: int) -> None:
        """Build the table's rows for the seeds' top-`fanout` neighbours too (for 2-hop)."""
        table, build, kw = self.tables[name], self.builders[name][0], self.builders[name][1]
        nb = np.unique(table.indices[:, :fanout])
        nb = nb[nb >= 0]
        self.hop[name] = (
            build(self.d.x, self.track_k, items=nb, **kw),
            {int(t): i for i, t in enumerate(nb)},
        )
        self.fanout = fanout

    def two_hop(self, name: str, seed: int) -> np.ndarray:
        """Score items two steps away: sum over the seed's neighbours n of s(seed,n)*s(n,j)."""
        table = self.tables[name]
        hop, hop_row = self.hop[name]
        out = np.zeros(self.n)
        r = self.row[seed]
        top = table.scores[r][0] if table.scores[r][0] > 0 else 1.0
        for n, w in zip(
            table.indices[r][: self.fanout], table.scores[r][: self.fanout], strict=True
        ):
            if n >= 0:
                out += (w / top) * maxnorm(dense_row(hop, hop_row[int(n)], self.n))
        return out

    def same_artist(self, seed: int) -> np.ndarray:
        """Score the seed artist's top tracks by their normalised popularity."""
        out = np.zeros(self.n)
        top = self.artist_top.get(int(self.d.track_artist[seed]))
        if top is not None:
            out[top[0]] = top[1]
        return out

    def artist_neighbours(self, seed: int, beta: float = 0.5) -> np.ndarray:
        """Propagate artist-artist similarity to the neighbour artists' top tracks."""
        out = np.zeros(self.n)
        r = self.arow[int(self.d.track_artist[seed])]
        idx, sc = self.artist_nb[beta].indices[r], self.artist_nb[beta].scores[r]
        top_score = sc[0] if sc.size and sc[0] > 0 else 1.0
        for b, s in zip(idx, sc, strict=True):
            if b >= 0 and int(b) in self.artist_top:
                t, w = self.artist_top[int(b)]
                out[t] += (s / top_score) * w
        return out

    def popularity(self) -> np.ndarray:
        """Return global popularity scaled to [0, 1]."""
        return self.pop / self.pop.max()


def rank(scores: np.ndarray, seed: int, k: int = K) -> list[int]:
    """Return the top-k items by score, seed excluded, ties broken by lower index."""
    scores = scores.copy()
    scores[seed] = -np.inf
    top = np.argpartition(-scores, k)[:k]
    return [int(i) for i in top[np.lexsort((top, -scores[top]))]]


def evaluate(d: Data, method: Callable[[int], list[int]]) -> dict[str, dict[str, float]]:
    """Score a ranker on every held-out case, overall and per seed-popularity bucket."""
    pop = sim.item_counts(d.x)
    artist_of = dict(enumerate(d.track_artist.tolist()))
    rows: dict[str, list[dict[str, float]]] = {"all": []}
    for seed, targets in d.cases:
        m = ev.playlist_metrics(method(seed), targets, artist_of, K)
        lo, hi = next(b for b in BUCKETS if b[0] <= pop[seed] <= b[1])
        rows["all"].append(m)
        rows.setdefault(f"seed_in_{lo}-{hi}", []).append(m)
    return {key: ev.aggregate(v) for key, v in sorted(rows.items())}


def blend(sig: Signals, table: str, **w: float) -> Callable[[int], list[int]]:
    """Rank by maxnorm(track row) + weighted same-artist, artist-neighbour, 2-hop, popularity."""

    def ranker(seed: int) -> list[int]:
        c = w.get("adapt", 0.0)
        conf = c / (c + sig.pop[seed]) if c else 1.0  # lean on side signals for rare seeds
        s = maxnorm(sig.track(table, seed)) + w.get("pop", 1e-3) * sig.popularity()
        if w.get("same"):
            s += conf * w["same"] * sig.same_artist(seed)
        if w.get("artist"):
            s += conf * w["artist"] * maxnorm(sig.artist_neighbours(seed, w.get("abeta", 0.5)))
        if w.get("hop"):
            s += conf * w["hop"] * maxnorm(sig.two_hop(table, seed))
        return rank(s, seed)

    return ranker


BLEND_GRID: list[dict[str, float]] = [
    {"same": 0.3},
    {"same": 0.6},
    {"same": 1.0},
    {"artist": 0.1, "abeta": 0.0},
    {"artist": 0.3, "abeta": 0.0},
    {"hop": 0.6},
    {"hop": 1.0},
    {"same": 0.6, "adapt": 5},
    {"same": 1.0, "adapt": 5},
    {"hop": 1.0, "adapt": 5},
    {"artist": 0.5, "abeta": 0.0, "adapt": 5},
    {"artist": 0.5, "abeta": 0.5, "adapt": 5},
    {"same": 0.6, "hop": 0.6, "artist": 0.3, "abeta": 0.0, "adapt": 5},
    {"same": 1.0, "hop": 1.0, "artist": 0.5, "abeta": 0.0, "adapt": 5},
    {"same": 0.3, "hop": 0.3, "artist": 0.1, "abeta": 0.0},
]


# Chosen on the validation stage; the test stage runs only these.
FINAL_GRID: list[dict[str, float]] = [
    {"same": 0.6},
    {"hop": 1.0},
    {"same": 0.6, "hop": 1.0},
    {"same": 1.0, "hop": 1.0, "artist": 0.5, "abeta": 0.0, "adapt": 5},
]


def methods(d: Data, sig: Signals, mode: str) -> dict[str, Callable[[int], list[int]]]:
    """Return the named rankers to compare (baselines first)."""
    out: dict[str, Callable[[int], list[int]]] = {
        "popularity": lambda s: ev.popularity(d.x, s, K),
        "artist_popularity": lambda s: ev.artist_popularity(d.x, s, d.track_artist, K),
        "cooccurrence_count": lambda s: ev.cooccurrence_count(d.x, s, K),
        "cooccurrence_cosine": lambda s: ev.cooccurrence_cosine(d.x, s, K),
    }
    tables: dict[str, tuple[Callable[..., sim.Neighbours], dict[str, float]]] = {
        "rp3b_a1.0_b0.5": (sim.rp3beta_topk, {"alpha": 1.0, "beta": 0.5}),
    }
    if mode in ("blend", "final"):
        tables["rp3b_a0.5_b0.0"] = (sim.rp3beta_topk, {"alpha": 0.5, "beta": 0.0})
    if mode == "grid":
        tables["bm25_cosine"] = (sim.bm25_cosine_topk, {})
        for alpha, shrink, lexp in ((0.5, 10, 0), (0.75, 0, 0), (0.9, 0, 0), (0.5, 0, 0.5)):
            kw = {"alpha": alpha, "shrink": shrink, "length_exponent": lexp}
            tables[f"cos_a{alpha}_sh{shrink}_len{lexp}"] = (sim.cosine_topk, kw)
        for alpha in (0.5, 1.0):
            for beta in (0.0, 0.25, 0.5, 0.75):
                tables[f"rp3b_a{alpha}_b{beta}"] = (
                    sim.rp3beta_topk,
                    {"alpha": alpha, "beta": beta},
                )
    for name, (build, kw) in tables.items():
        sig.add_table(name, build, **kw)
        out[name] = blend(sig, name)
    if mode in ("blend", "final"):
        base = "rp3b_a0.5_b0.0"
        sig.add_hop_rows(base, 20)
        for combo in BLEND_GRID if mode == "blend" else FINAL_GRID:
            out[base + "+" + ",".join(f"{k}{v}" for k, v in combo.items())] = blend(
                sig, base, **combo
            )
    return out


def main() -> None:
    """Run one stage and write its metrics as JSON under --out."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--stage", choices=("validation", "test"), default="validation")
    parser.add_argument("--out", default="/tmp/musaic-research")
    parser.add_argument("--track-k", type=int, default=200)
    parser.add_argument("--mode", choices=("base", "grid", "blend", "final"), default="base")
    args = parser.parse_args()
    d = load(args.stage)
    print(f"train playlists {d.x.shape[0]}, tracks {d.x.shape[1]}, cases {len(d.cases)}")
    sig = Signals(d, args.track_k, artist_k=50, tracks_per_artist=50)
    results = {}
    for name, ranker in methods(d, sig, args.mode).items():
        results[name] = evaluate(d, ranker)
        a = results[name]["all"]
        print(
            f"{name:28s} ndcg {a['ndcg@100']:.4f} rprec {a['r_precision']:.4f} "
            f"rec {a['recall@100']:.4f} art_ndcg {a['artist_ndcg@100']:.4f}",
            flush=True,
        )
    out = Path(args.out) / f"{args.stage}_{args.mode}_k{args.track_k}.json"
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
