"""Round 2 of the one-seed matching study: embeddings, support-adaptive weights, fusion, extra data.

Usage: PYTHONPATH=. OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/research_eval2.py \
    --stage validation|test --mode single|blend|final|buildcost [--extra tidytuesday]
Same split, cases and metrics as scripts/research_eval.py. Every signal is what a request-time
matcher can read: a stored top-K row (track->track or artist->artist) for the seed or for a few
tracks it points at, plus catalog facts (artist of track, playlist_count). Signals are built once
per stage as sparse seed x track matrices under --cache (outside the repository), then blended.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from musaic.evaluation import metrics as ev
from musaic.indexing import embeddings as emb
from musaic.indexing import similarity as sim
from research.research_eval import BUCKETS, MPD, SPLITS, bucket_of

K = 100
TRACK_K = 200  # stored track rows (index K)
ARTIST_K = 50  # stored artist rows
TOP_TRACKS = 50  # catalog: an artist's top tracks by playlist_count
FANOUT = 20  # 2-hop: rows of the seed's top-20 neighbours
ARTIST_HOP = 5  # artist-hop: rows of the seed artist's top-5 tracks
TIDY = Path("/work/shared/data/tidytuesday_spotify_songs/spotify_songs.csv.gz")


@dataclass
class Data:
    """Train incidence (playlists x tracks / artists), track->artist, held-out (seed, targets)."""

    x: sparse.csr_matrix
    a: sparse.csr_matrix
    track_artist: np.ndarray
    cases: list[tuple[int, set[int]]]
    n_mpd_train: int


def load(stage: str, extra: str = "") -> Data:
    """Load MPD like research_eval.load; `extra=tidytuesday` appends its playlists to train."""
    with gzip.open(MPD) as f:
        playlists = json.load(f)["playlists"]
    train_max, eval_range = SPLITS[stage]
    track_id: dict[str, int] = {}
    artist_id: dict[str, int] = {}
    artist_of: list[int] = []

    def tid(uri: str, artist: str) -> int:
        if uri not in track_id:
            track_id[uri] = len(track_id)
            artist_of.append(artist_id.setdefault(artist, len(artist_id)))
        return track_id[uri]

    train: list[list[int]] = []
    held: list[list[int]] = []
    for p in playlists:
        ids = [tid(t["track_uri"], t["artist_name"]) for t in p["tracks"]]
        b = bucket_of(p["pid"])
        (train if b < train_max else held if b in eval_range else []).append(ids)
    n_mpd = len(train)
    known = sim.item_counts(sim.incidence_matrix(train, len(track_id))) > 0
    cases = []  # defined on MPD train only, so every variant scores the same cases
    for ids in held:
        seeds = [t for t in ids if known[t]]
        if seeds and len(set(ids) - {seeds[0]}) > 0:
            cases.append((seeds[0], set(ids) - {seeds[0]}))
    if extra == "tidytuesday":
        groups: dict[str, list[int]] = {}
        with gzip.open(TIDY) as raw:
            for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
                uri = "spotify:track:" + row["track_id"]
                groups.setdefault(row["playlist_id"], []).append(tid(uri, row["track_artist"]))
        train.extend(groups.values())
    x = sim.incidence_matrix(train, len(track_id))
    track_artist = np.asarray(artist_of, dtype=np.int64)
    a = sim.incidence_matrix(([int(track_artist[t]) for t in ids] for ids in train), len(artist_id))
    return Data(x, a, track_artist, cases, n_mpd)


def table_matrix(table: sim.Neighbours, n: int) -> sparse.csr_matrix:
    """Turn a top-K table (one row per source) into a sparse source x item score matrix."""
    rows = np.repeat(np.arange(table.indices.shape[0]), table.indices.shape[1])
    idx, sc = table.indices.ravel(), table.scores.ravel().astype(np.float64)
    ok = idx >= 0
    shape = (table.indices.shape[0], n)
    return sparse.csr_matrix((sc[ok], (rows[ok], idx[ok])), shape=shape)


def rownorm(m: sparse.csr_matrix) -> sparse.csr_matrix:
    """Divide each row by its maximum (zero rows stay zero)."""
    mx = np.asarray(m.max(axis=1).toarray()).ravel()
    return sparse.csr_matrix(sparse.diags(1.0 / np.where(mx > 0, mx, 1.0)) @ m)


class Features:
    """Per-seed signals as sparse (seeds x tracks) matrices, built lazily and cached on disk."""

    def __init__(self, d: Data, cache: Path) -> None:
        self.d, self.n = d, d.x.shape[1]
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)
        self.seeds = np.unique([s for s, _ in d.cases])
        self.pop = sim.item_counts(d.x[: d.n_mpd_train]) if d.n_mpd_train else None
        self.pop_all = sim.item_counts(d.x)
        self.mats: dict[str, sparse.csr_matrix] = {}
        self.top_tracks = self._artist_top_tracks()
        self.timings: dict[str, float] = {}

    def _artist_top_tracks(self) -> sparse.csr_matrix:
        """Catalog: artist x track matrix of each artist's top tracks, score = count / max."""
        pop = self.pop_all
        order = np.lexsort((np.arange(self.n), -pop, self.d.track_artist))
        arts = self.d.track_artist[order]
        n_art = int(self.d.track_artist.max()) + 1
        starts = np.searchsorted(arts, np.arange(n_art + 1))
        rank = np.arange(order.size) - starts[arts]
        keep = (rank < TOP_TRACKS) & (pop[order] > 0)
        m = sparse.csr_matrix((pop[order][keep], (arts[keep], order[keep])), shape=(n_art, self.n))
        return rownorm(m)

    def get(self, name: str, build: Callable[[], sparse.csr_matrix]) -> sparse.csr_matrix:
        """Return a cached feature matrix, building and saving it on first use."""
        if name not in self.mats:
            path = self.cache / f"{name}.npz"
            if path.exists():
                self.mats[name] = sparse.load_npz(path).tocsr()
            else:
                t0 = time.perf_counter()
                self.mats[name] = sparse.csr_matrix(build())
                self.timings[name] = time.perf_counter() - t0
                sparse.save_npz(path, self.mats[name])
        return self.mats[name]

    # --- track rows -------------------------------------------------------------------------
    def rp_rows(self, items: np.ndarray) -> sparse.csr_matrix:
        """RP3beta(alpha 0.5, beta 0) top-200 rows of the given tracks (the stored "cooc" kind)."""
        return table_matrix(sim.rp3beta_topk(self.d.x, TRACK_K, 0.5, 0.0, items=items), self.n)

    def rp(self) -> sparse.csr_matrix:
        """Seed rows of the RP3beta table."""
        return self.get("rp", lambda: self.rp_rows(self.seeds))

    def hop(self) -> sparse.csr_matrix:
        """2-hop as in round 1: sum over top-20 n of (s_n / s_1) * maxnorm(row_n)."""

        def build() -> sparse.csr_matrix:
            seed_rows = rownorm(self.rp())
            out = []
            for r in range(seed_rows.shape[0]):
                row = seed_rows.getrow(r)
                order = np.argsort(-row.data, kind="stable")[:FANOUT]
                nb, w = row.indices[order], row.data[order]
                out.append(sparse.csr_matrix(w[np.newaxis, :]) @ rownorm(self.rp_rows(nb)))
            return sparse.vstack(out)

        return self.get("hop", build)

    def artist_hop(self) -> sparse.csr_matrix:
        """Rows of the seed artist's top-5 tracks (seed excluded), weighted by their count / max."""

        def build() -> sparse.csr_matrix:
            tops = self.top_tracks[self.d.track_artist[self.seeds]]
            out = []
            for r, seed in enumerate(self.seeds):
                row = tops.getrow(r)
                order = np.argsort(-row.data, kind="stable")
                nb, w = row.indices[order], row.data[order]
                keep = nb != seed
                nb, w = nb[keep][:ARTIST_HOP], w[keep][:ARTIST_HOP]
                if nb.size == 0:
                    out.append(sparse.csr_matrix((1, self.n)))
                    continue
                out.append(sparse.csr_matrix(w[np.newaxis, :]) @ rownorm(self.rp_rows(nb)))
            return sparse.vstack(out)

        return self.get("artist_hop", build)

    def same(self) -> sparse.csr_matrix:
        """Catalog: the seed artist's top-50 tracks, count / max."""
        return self.get("same", lambda: self.top_tracks[self.d.track_artist[self.seeds]])

    def same_shaped(self, shape: str) -> sparse.csr_matrix:
        """The same-artist row reshaped: sqrt(count / max) or a flat 0.5 + 0.5 * count / max."""

        def build() -> sparse.csr_matrix:
            m = self.same().copy()
            m.data = np.sqrt(m.data) if shape == "sqrt" else 0.5 + 0.5 * m.data
            return m

        return self.get(f"same_{shape}", build)

    def embed(self, k: int, weighting: str, power: float, min_support: int) -> sparse.csr_matrix:
        """Seed rows of a PureSVD "embed" table: cosine top-200 over tracks in >= min_support."""
        name = f"emb_k{k}_{weighting}_p{power}_m{min_support}"

        def build() -> sparse.csr_matrix:
            factors = self.factors(k, weighting, power)
            targets = np.flatnonzero(self.pop_all >= min_support)
            table = emb.embedding_topk(factors, TRACK_K, items=self.seeds, targets=targets)
            return table_matrix(table, self.n)

        return self.get(name, build)

    def factors(self, k: int, weighting: str, power: float) -> np.ndarray:
        """Track factors of the train matrix (cached in memory per configuration)."""
        key = f"_f{k}{weighting}{power}"
        if key not in self.__dict__:
            t0 = time.perf_counter()
            self.__dict__[key] = emb.svd_item_factors(self.d.x, k, weighting, power)
            self.timings["svd" + key] = time.perf_counter() - t0
        return np.asarray(self.__dict__[key])

    # --- artist rows ------------------------------------------------------------------------
    def artist_prop(self, table: sim.Neighbours, seed_artists: np.ndarray) -> sparse.csr_matrix:
        """Neighbour artists' top tracks, weighted by (artist score / row max) * (count / max)."""
        rows = rownorm(table_matrix(table, self.top_tracks.shape[0]))
        pos = {int(a): i for i, a in enumerate(seed_artists)}
        return sparse.csr_matrix(
            rows[[pos[int(a)] for a in self.d.track_artist[self.seeds]]] @ self.top_tracks
        )

    def artist_rp(self) -> sparse.csr_matrix:
        """Round 1's artist RP3beta(0.5, 0) top-50 neighbours x their top tracks."""

        def build() -> sparse.csr_matrix:
            arts = np.unique(self.d.track_artist[self.seeds])
            return self.artist_prop(
                sim.rp3beta_topk(self.d.a, ARTIST_K, 0.5, 0.0, items=arts), arts
            )

        return self.get("artist_rp", build)

    def artist_embed(self, k: int, weighting: str, min_support: int) -> sparse.csr_matrix:
        """Artist PureSVD (playlist x artist) cosine top-50 neighbours x their top tracks."""

        def build() -> sparse.csr_matrix:
            arts = np.unique(self.d.track_artist[self.seeds])
            factors = emb.svd_item_factors(self.d.a, k, weighting, 0.5)
            targets = np.flatnonzero(sim.item_counts(self.d.a) >= min_support)
            table = emb.embedding_topk(factors, ARTIST_K, items=arts, targets=targets)
            return self.artist_prop(table, arts)

        return self.get(f"aemb_k{k}_{weighting}_m{min_support}", build)


# --- blending ---------------------------------------------------------------------------------
@dataclass
class Case:
    """One held-out case reduced to its candidate tracks and their per-signal scores."""

    seed: int
    n: float  # catalog playlist_count of the seed (drives the adaptive weights)
    bucket_n: float  # MPD-train playlists holding the seed (defines the report bucket)
    targets: set[int]
    cand: np.ndarray
    maxn: np.ndarray  # (|cand|, n_signals) max-normalised scores
    rr: np.ndarray  # (|cand|, n_signals) 1 / (60 + rank) within each signal, 0 when absent
    pop: np.ndarray  # (|cand|,) popularity / max


def prepare(f: Features, names: list[str], mats: list[sparse.csr_matrix]) -> list[Case]:
    """Gather each case's candidates (union of signals + top-300 popular) and their scores."""
    assert f.pop is not None
    popn = f.pop_all / f.pop_all.max()
    top_pop = np.argsort(-f.pop_all, kind="stable")[:300]
    row = {int(s): i for i, s in enumerate(f.seeds)}
    normed = [rownorm(m) for m in mats]
    out = []
    for seed, targets in f.d.cases:
        r = row[seed]
        rows = [m.getrow(r) for m in normed]
        cand = np.unique(np.concatenate([top_pop] + [x.indices for x in rows]))
        cand = cand[cand != seed]
        maxn = np.zeros((cand.size, len(rows)), dtype=np.float32)
        rr = np.zeros_like(maxn)
        for j, x in enumerate(rows):
            keep = x.indices != seed
            idx, val = x.indices[keep], x.data[keep]
            pos = np.searchsorted(cand, idx)
            maxn[pos, j] = val
            order = np.lexsort((idx, -val))
            rr[pos[order], j] = 1.0 / (60.0 + np.arange(order.size))
        n, bn = float(f.pop_all[seed]), float(f.pop[seed])
        out.append(Case(seed, n, bn, targets, cand, maxn, rr, popn[cand]))
    return out


Blend = dict[str, float]


def score_case(c: Case, names: list[str], w: Blend) -> np.ndarray:
    """Blend one case: sum_f w_f(n) * signal_f, times pop**gamma, plus a 1e-3 popularity tie-break.

    w_f(n) = w[f] + w[f + "@rare"] * half / (half + n) with half = w.get("half", 5).
    """
    half = w.get("half", 5.0)
    conf = half / (half + c.n)
    weights = np.array([w.get(s, 0.0) + w.get(s + "@rare", 0.0) * conf for s in names])
    base = c.rr if w.get("rrf") else c.maxn
    s = base @ weights.astype(np.float32)
    gamma = w.get("gamma", 0.0)
    if gamma:
        s = s * np.power(np.maximum(c.pop, 1e-9), gamma)
    return s + w.get("pop", 1e-3) * c.pop


def ranked(c: Case, names: list[str], w: Blend) -> list[int]:
    """Return the case's top-100 tracks under a blend (ties by lower track index)."""
    s = score_case(c, names, w)
    top = np.argpartition(-s, K)[:K] if s.size > K else np.arange(s.size)
    return [int(c.cand[i]) for i in top[np.lexsort((c.cand[top], -s[top]))]]


def blend_ranker(names: list[str], w: Blend) -> Callable[[Case], list[int]]:
    """Bind a blend to a ranker over prepared cases."""
    return lambda c: ranked(c, names, w)


def evaluate(
    d: Data, cases: list[Case], rank_fn: Callable[[Case], list[int]]
) -> dict[str, dict[str, float]]:
    """Score a ranker on every case, overall and per seed-support bucket."""
    artist_of = dict(enumerate(d.track_artist.tolist()))
    rows: dict[str, list[dict[str, float]]] = {"all": []}
    for c in cases:
        m = ev.playlist_metrics(rank_fn(c), c.targets, artist_of, K)
        lo, hi = next(b for b in BUCKETS if b[0] <= c.bucket_n <= b[1])
        rows["all"].append(m)
        rows.setdefault(f"seed_in_{lo}-{hi}", []).append(m)
    return {key: ev.aggregate(v) for key, v in sorted(rows.items())}


def label(w: Blend) -> str:
    """Short name of a blend."""
    return ",".join(f"{k}{v:g}" for k, v in w.items())


def fmt(name: str, res: dict[str, dict[str, float]]) -> str:
    """One result line: overall metrics then NDCG per bucket."""
    a = res["all"]
    order = sorted(
        (b for b in res if b != "all"), key=lambda b: int(b.split("_")[-1].split("-")[0])
    )
    buckets = " ".join(f"{res[b]['ndcg@100']:.4f}" for b in order)
    return (
        f"{name:60s} ndcg {a['ndcg@100']:.4f} rprec {a['r_precision']:.4f} "
        f"rec {a['recall@100']:.4f} art_ndcg {a['artist_ndcg@100']:.4f} | {buckets}"
    )


def baselines(d: Data, cases: list[Case]) -> dict[str, Callable[[Case], list[int]]]:
    """The round-1 baselines, computed on the full matrix (no truncation)."""
    x = d.x[: d.n_mpd_train]
    return {
        "cooccurrence_count": lambda c: ev.cooccurrence_count(x, c.seed, K),
        "artist_popularity": lambda c: ev.artist_popularity(x, c.seed, d.track_artist, K),
    }


ROUND1 = {"rp": 1.0, "same": 0.6, "hop": 1.0}  # round 1's winner


def main() -> None:
    """Build the signals for one stage, run the chosen grid, write metrics JSON under --out."""
    p = argparse.ArgumentParser()
    p.add_argument("--stage", choices=("validation", "test"), default="validation")
    p.add_argument(
        "--mode", choices=("single", "blend", "search", "final", "buildcost"), default="single"
    )
    p.add_argument("--extra", default="")
    p.add_argument("--fusion", choices=("max", "rrf"), default="max", help="search start")
    p.add_argument("--out", default="/tmp/musaic-research2")
    args = p.parse_args()
    t0 = time.perf_counter()
    d = load(args.stage, args.extra)
    tag = f"{args.stage}{'_' + args.extra if args.extra else ''}"
    print(f"{tag}: train {d.x.shape} cases {len(d.cases)} load {time.perf_counter() - t0:.0f}s")
    f = Features(d, Path(args.out) / "cache" / tag)
    if args.mode == "buildcost":
        build_cost(d)
        return
    signals: dict[str, sparse.csr_matrix] = {
        "rp": f.rp(),
        "same": f.same(),
        "hop": f.hop(),
        "ahop": f.artist_hop(),
        "arp": f.artist_rp(),
    }
    grid: list[Blend] = []
    if args.mode == "single":
        for k in (64, 128, 256):
            for wt in ("none", "idf", "bm25"):
                signals[f"emb{k}{wt}"] = f.embed(k, wt, 0.5, 2)
        signals["emb128none_m1"] = f.embed(128, "none", 0.5, 1)
        signals["emb128none_m5"] = f.embed(128, "none", 0.5, 5)
        signals["emb128none_p1"] = f.embed(128, "none", 1.0, 2)
        signals["emb128none_p0"] = f.embed(128, "none", 0.0, 2)
        for k, wt in ((32, "none"), (64, "none"), (64, "idf")):
            signals[f"aemb{k}{wt}"] = f.artist_embed(k, wt, 2)
        grid = [{s: 1.0} for s in signals] + [dict(ROUND1)]
        grid += [{**ROUND1, s: v} for s in signals if s not in ROUND1 for v in (0.3, 1.0)]
    else:
        signals.update(EMBED_SIGNALS(f))
        grid = [dict(ROUND1)] + (BLEND_GRID if args.mode in ("blend", "search") else FINAL_GRID)
    print("timings", {k: round(v, 1) for k, v in f.timings.items()}, flush=True)
    names = list(signals)
    cases = prepare(f, names, list(signals.values()))
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, fn in baselines(d, cases).items():
        results[name] = evaluate(d, cases, fn)
        print(fmt(name, results[name]), flush=True)
    for w in grid:
        results[label(w)] = evaluate(d, cases, blend_ranker(names, w))
        print(fmt(label(w), results[label(w)]), flush=True)
    if args.mode == "search":
        t1 = time.perf_counter()
        start, space, passes = (
            (RRF_START, RRF_SPACE, 3) if args.fusion == "rrf" else (ROUND1, SEARCH_SPACE, 2)
        )
        best = search(d, cases, names, dict(start), passes, space=space)
        results["search:" + label(best)] = evaluate(d, cases, blend_ranker(names, best))
        print("search best", label(best), f"{time.perf_counter() - t1:.0f}s", flush=True)
        # overfitting check: search on one half of the cases, score the other half
        for part in (0, 1):
            fit = [c for i, c in enumerate(cases) if i % 2 == part]
            held = [c for i, c in enumerate(cases) if i % 2 != part]
            w = search(d, fit, names, dict(start), passes, log=False, space=space)
            for nm, ww in (("round1", dict(ROUND1)), ("fit-half", w), ("full-search", best)):
                print(
                    f"half {part} {nm}:", fmt(label(ww), evaluate(d, held, blend_ranker(names, ww)))
                )
    out = Path(args.out) / f"{tag}_{args.mode}_{args.fusion}.json"
    out.write_text(json.dumps(results, indent=1))


def EMBED_SIGNALS(f: Features) -> dict[str, sparse.csr_matrix]:
    """The embedding signals kept after the single-signal grid."""
    return {
        "same_sqrt": f.same_shaped("sqrt"),
        "same_flat": f.same_shaped("flat"),
        "emb": f.embed(256, "bm25", 0.5, 5),
        "aemb": f.artist_embed(64, "idf", 2),
    }


# Coordinate ascent on validation NDCG@100: values tried per weight, two passes, from round 1.
SEARCH_SPACE: dict[str, tuple[float, ...]] = {
    "same@rare": (0.0, 1.0, 2.0, 4.0, 8.0),
    "half": (1.0, 2.0, 5.0, 10.0),
    "same": (0.0, 0.3, 0.6, 1.0),
    "same_sqrt@rare": (0.0, 1.0, 2.0, 4.0),
    "same_flat@rare": (0.0, 1.0, 2.0, 4.0),
    "hop": (0.0, 0.5, 1.0, 2.0),
    "ahop": (0.0, 0.15, 0.3, 0.6),
    "ahop@rare": (0.0, 0.5, 1.0, 2.0),
    "arp": (0.0, 0.15, 0.3),
    "arp@rare": (0.0, 0.5, 1.0, 2.0),
    "emb": (0.0, 0.15, 0.3, 0.6),
    "emb@rare": (0.0, 0.5, 1.0),
    "aemb": (0.0, 0.15, 0.3),
    "aemb@rare": (0.0, 0.5, 1.0),
    "gamma": (0.0, 0.1, 0.25, 0.5, 1.0),
    "pop": (1e-3, 0.05, 0.2),
    "rrf": (0.0, 1.0),
}
# Picked by the searches on validation (--mode search, --fusion rrf / max).
BEST_RRF: Blend = {
    "rrf": 1.0, "rp": 1.0, "hop": 1.0, "same": 0.6, "same@rare": 4.0, "ahop": 0.3,
    "ahop@rare": 1.0, "arp": 0.3, "arp@rare": 1.0, "emb": 0.6, "aemb": 0.3, "half": 2.0,
}  # fmt: skip
BEST_MAX: Blend = {
    "rp": 1.0, "same": 0.6, "hop": 2.0, "same@rare": 2.0, "same_sqrt@rare": 2.0,
    "same_flat@rare": 2.0, "ahop": 0.3, "ahop@rare": 1.0, "arp": 0.3, "arp@rare": 2.0,
    "emb": 0.6, "emb@rare": 1.0, "aemb": 0.3, "aemb@rare": 1.0, "rrf": 1.0,
}  # fmt: skip


def _without(w: Blend, *keys: str) -> Blend:
    """Drop signals (and their @rare parts) from a blend."""
    return {k: v for k, v in w.items() if k.split("@")[0] not in keys}


# Ablations of BEST_RRF on validation: what each idea is worth.
BLEND_GRID: list[Blend] = [
    {**ROUND1, "rrf": 1.0},  # fusion alone
    {**BEST_RRF, "rrf": 0.0},  # same weights, max-normalised fusion
    {k: v for k, v in BEST_RRF.items() if "@rare" not in k},  # no support-adaptive weights
    _without(BEST_RRF, "emb"),
    _without(BEST_RRF, "aemb"),
    _without(BEST_RRF, "emb", "aemb"),  # no embeddings at all
    _without(BEST_RRF, "ahop"),
    _without(BEST_RRF, "arp"),
    _without(BEST_RRF, "ahop", "arp", "aemb"),  # no artist-level smoothing
    {**BEST_RRF, "gamma": 0.25},
    {**BEST_RRF, "gamma": 0.5},
    {**BEST_RRF, "pop": 0.05},
    {**BEST_RRF, "emb": 0.0, "emb@rare": 0.0, "aemb": 0.0, "gamma": 0.0},
    BEST_RRF,
    BEST_MAX,
]
RECOMMENDED: Blend = _without(BEST_RRF, "aemb")  # aemb worth < 0.001 on validation: dropped
FINAL_GRID: list[Blend] = [
    {**ROUND1, "rrf": 1.0},
    _without(BEST_RRF, "emb", "aemb"),
    RECOMMENDED,
    BEST_RRF,
    BEST_MAX,
]


# Second search: reciprocal-rank fusion from the start (monotone reshapes of a signal are then
# identical, so the same_sqrt / same_flat variants drop out).
RRF_START: Blend = {"rrf": 1.0, **ROUND1}
RRF_SPACE: dict[str, tuple[float, ...]] = {
    k: v for k, v in SEARCH_SPACE.items() if not k.startswith(("same_", "rrf"))
} | {"same@rare": (0.0, 2.0, 4.0, 6.0, 8.0, 12.0)}


def search(
    d: Data,
    cases: list[Case],
    names: list[str],
    start: Blend,
    passes: int = 2,
    log: bool = True,
    space: dict[str, tuple[float, ...]] | None = None,
) -> Blend:
    """Greedy coordinate ascent over a weight space (default SEARCH_SPACE) on the given cases."""
    space = SEARCH_SPACE if space is None else space
    best = dict(start)
    best_score = evaluate(d, cases, blend_ranker(names, best))["all"]["ndcg@100"]
    for _ in range(passes):
        for key, values in space.items():
            for v in values:
                if best.get(key, 0.0) == v:
                    continue
                trial = {**best, key: v}
                res = evaluate(d, cases, blend_ranker(names, trial))
                if res["all"]["ndcg@100"] > best_score + 1e-4:
                    best, best_score = trial, res["all"]["ndcg@100"]
                    if log:
                        print(fmt(label(best), res), flush=True)
    return best


def build_cost(d: Data) -> None:
    """Time the full-catalog builds of the new tables (every track / artist row) on this train."""

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # GB on Linux

    print(f"after load: peak RSS {peak():.2f} GB", flush=True)
    counts = sim.item_counts(d.x)
    t0 = time.perf_counter()
    factors = emb.svd_item_factors(d.x, 256, "bm25", 0.5)
    t1 = time.perf_counter()
    table = emb.embedding_topk(factors, TRACK_K, targets=np.flatnonzero(counts >= 5))
    t2 = time.perf_counter()
    rows = int((table.indices >= 0).sum())
    print(
        f"embed k256 bm25 m5: svd {t1 - t0:.1f}s, top-{TRACK_K} rows for {counts.size} tracks "
        f"{t2 - t1:.1f}s, {rows} rows, peak RSS {peak():.2f} GB",
        flush=True,
    )
    a_counts = sim.item_counts(d.a)
    t0 = time.perf_counter()
    a_factors = emb.svd_item_factors(d.a, 64, "idf", 0.5)
    a_table = emb.embedding_topk(a_factors, ARTIST_K, targets=np.flatnonzero(a_counts >= 2))
    t1 = time.perf_counter()
    print(
        f"artist embed k64 idf m2: {a_counts.size} artists in {t1 - t0:.1f}s, "
        f"{int((a_table.indices >= 0).sum())} rows, peak RSS {peak():.2f} GB",
        flush=True,
    )
    t0 = time.perf_counter()
    rp = sim.rp3beta_topk(d.x, TRACK_K, 0.5, 0.0)
    print(f"rp3beta top-{TRACK_K} (reference): {time.perf_counter() - t0:.1f}s", flush=True)
    del rp


if __name__ == "__main__":
    main()
