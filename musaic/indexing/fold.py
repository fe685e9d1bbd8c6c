"""A training index in memory: the catalog's neighbour tables built without the learning fold.

The learned stage learns from playlists whose tracks its features must not have seen, so the
playlist-derived tables (track "cooc", "embed" and "als", artist "cooc") and playlist counts are
rebuilt here from every context EXCEPT the learning playlists; FoldReads serves them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from musaic.indexing import tables
from musaic.indexing.als import als_table
from musaic.indexing.data import CatalogMatrices
from musaic.matching.reads import ForwardingReads, IndexReads, RowScorer
from musaic.matching.types import Neighbour, PopularityThresholds, Seed, TrackInfo
from musaic.models import Track, TrackArtist

BUCKETS = 10_000


def learning_fold(n_playlists: int, share: float, seed: int, cap: int) -> list[int]:
    """Return the positions of the playlists to learn from: a stable hash of (seed, position)."""
    return learning_folds(n_playlists, share, seed, cap, 1)[0]


def learning_folds(
    n_playlists: int, share: float, seed: int, cap: int, folds: int
) -> list[list[int]]:
    """Return `folds` disjoint learning folds, each a `share` of the playlists (at most `cap`).

    A playlist's stable hash of (seed, position) picks its bucket; fold f holds the buckets
    [f x share, (f + 1) x share), so fold 0 is `learning_fold`'s and no playlist is in two.
    """
    width = round(share * BUCKETS)
    keyed: list[list[tuple[int, int]]] = [[] for _ in range(folds)]
    for position in range(n_playlists):
        digest = int(hashlib.sha1(f"ranker:{seed}:{position}".encode()).hexdigest(), 16)
        fold = digest % BUCKETS // width if width else folds
        if fold < folds:
            keyed[fold].append((digest, position))
    return [sorted(position for _, position in sorted(fold)[:cap]) for fold in keyed]


@dataclass
class FoldTables:
    """The playlist-derived tables and track playlist counts of one training index."""

    track: dict[str, tables.Table]
    artist: dict[str, tables.Table]
    playlist_counts: dict[int, int]
    excluded: frozenset[int]  # positions of the playlists left out (the learning fold)


def fold_tables(
    data: CatalogMatrices,
    learn: Sequence[int],
    k: int,
    method: str,
    params: dict[str, float],
    als: bool = True,
) -> FoldTables:
    """Build the tables from every context but the playlists at positions `learn`.

    `als`: also an "als" table, as a `--ranker` build serves one; without it the fold, like a
    build without ALS rows, gives the ranked matcher no ALS list.
    """
    keep = np.setdiff1d(np.arange(data.contexts.shape[0]), np.asarray(learn, dtype=np.int64))
    contexts, artist_contexts = data.contexts[keep], data.artist_contexts[keep]
    playlists = data.contexts[keep[keep < data.n_playlists]]
    counts = np.asarray((playlists > 0).sum(axis=0)).ravel()
    cooc = tables.cooccurrence_table("cooc", contexts, data.track_ids, k, method, params)
    embed = tables.embed_table("embed", contexts, data.track_ids, 100)
    # Without ALS the fold still owns the kind, empty, so no read reaches a build's "als" rows
    # (they were computed from every playlist, the learning fold's included).
    als_rows = (
        als_table("als", contexts, data.track_ids, 100) if als else tables.Table("als", [], 0)
    )
    artist = tables.cooccurrence_table("cooc", artist_contexts, data.artist_ids, 50, method, params)
    nonzero = np.flatnonzero(counts)
    return FoldTables(
        track={"cooc": cooc, "embed": embed, "als": als_rows},
        artist={"cooc": artist},
        playlist_counts=dict(
            zip(data.track_ids[nonzero].tolist(), counts[nonzero].tolist(), strict=True)
        ),
        excluded=frozenset(int(p) for p in learn),
    )


class LazyRows:
    """A table's rows by source id, turned into Neighbour lists only when read."""

    def __init__(self, table: tables.Table) -> None:
        self.kind = table.kind
        self.rows: dict[int, tuple[tables.Block, int]] = {}
        for block in table.blocks:  # streamed once; the fold keeps its blocks in memory
            for r, source in enumerate(block.sources.tolist()):
                self.rows[source] = (block, r)

    def get(self, source: int) -> list[Neighbour]:
        """Return the source's rows, best first (empty when it has none)."""
        found = self.rows.get(source)
        if found is None:
            return []
        block, r = found
        keep = (block.neighbour_ids[r] >= 0) & (block.scores[r] > 0)
        targets = block.neighbour_ids[r][keep].tolist()
        values = block.scores[r][keep].astype(np.float64).tolist()
        support = (
            block.support[r][keep].tolist() if block.support is not None else [None] * len(targets)
        )
        return [Neighbour(*row, self.kind) for row in zip(targets, values, support, strict=True)]


class FoldReads(ForwardingReads):
    """IndexReads over a FoldTables: playlist-derived reads from memory, the rest from `inner`.

    Kinds not built here (track audio, artist credit and tags) do not depend on playlists, so
    they are read from the active build as they are.
    """

    def __init__(self, session: Session, inner: IndexReads, fold: FoldTables) -> None:
        super().__init__(inner)
        self.fold = fold
        self.track_rows = {kind: LazyRows(t) for kind, t in fold.track.items()}
        self.artist_rows = {kind: LazyRows(t) for kind, t in fold.artist.items()}
        self.credits: dict[int, list[int]] = defaultdict(list)
        for track_id, artist_id in session.execute(
            select(TrackArtist.track_id, TrackArtist.artist_id)
        ):
            self.credits[artist_id].append(track_id)
        rows = session.execute(select(Track.id, Track.popularity))
        self.popularity: dict[int, int | None] = {t: p for t, p in rows}

    def _count(self, track_id: int) -> int:
        return self.fold.playlist_counts.get(track_id, 0)

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Return the fold's kinds from memory, other kinds (audio) from the active build."""
        ids = list(track_ids)
        found = _pick(self.track_rows, ids, kinds, limit)
        rest = [k for k in _names(kinds) if k not in self.track_rows]
        return _merge(found, self.inner.track_neighbours(ids, rest, limit) if rest else {})

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the fold's kinds from memory, other kinds (credit, tags) from the active build."""
        ids = list(artist_ids)
        found = _pick(self.artist_rows, ids, kinds, limit)
        rest = [k for k in _names(kinds) if k not in self.artist_rows]
        return _merge(found, self.inner.artist_neighbours(ids, rest, limit) if rest else {})

    def track_infos(self, track_ids: Iterable[int]) -> dict[int, TrackInfo]:
        """Return the catalog facts with the fold's playlist counts."""
        infos = self.inner.track_infos(track_ids)
        return {t: i._replace(playlist_count=self._count(t)) for t, i in infos.items()}

    def seed(self, track_id: int) -> Seed | None:
        """Return the seed with the fold's playlist count."""
        found = self.inner.seed(track_id)
        return None if found is None else replace(found, playlist_count=self._count(track_id))

    def playlist_counts(self, track_ids: Iterable[int]) -> dict[int, int]:
        """Return the fold's playlist counts."""
        return {t: self._count(t) for t in track_ids}

    def artist_top_tracks(self, artist_ids: Iterable[int], per_artist: int) -> dict[int, list[int]]:
        """Return each artist's most-playlisted tracks in the fold."""
        counted = self.artist_top_tracks_counted(artist_ids, per_artist)
        return {a: [t for t, _ in tracks] for a, tracks in counted.items()}

    def artist_top_tracks_counted(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, list[tuple[int, int]]]:
        """Order as the SQL reader: fold count, then popularity (unknown last), then id."""
        found = {}
        for artist_id in sorted(set(artist_ids)):
            tracks = self.credits.get(artist_id, [])
            pop = self.popularity
            order = sorted(
                tracks, key=lambda t: (-self._count(t), pop.get(t) is None, -(pop.get(t) or 0), t)
            )
            if order:
                found[artist_id] = [(t, self._count(t)) for t in order[:per_artist]]
        return found

    def popularity_thresholds(self) -> PopularityThresholds:
        """Return the catalog's bands with the fold's largest playlist count."""
        top = max(self.fold.playlist_counts.values(), default=0)
        return replace(self.inner.popularity_thresholds(), max_playlist_count=top)

    def ranker_model(self, features: Sequence[str]) -> RowScorer | None:
        """Return None: the training index has no model (it is what the model learns from)."""
        return None


def _names(kinds: str | Sequence[str]) -> list[str]:
    return [kinds] if isinstance(kinds, str) else sorted(set(kinds))


def _merge(
    first: dict[int, list[Neighbour]], second: dict[int, list[Neighbour]]
) -> dict[int, list[Neighbour]]:
    """Merge two reads, each source's rows per kind in sorted kind order (as the SQL reader)."""
    merged: dict[int, list[Neighbour]] = {}
    for source in sorted({*first, *second}):
        rows = [*first.get(source, []), *second.get(source, [])]
        merged[source] = sorted(rows, key=lambda n: n.kind)  # stable: rank order within a kind
    return merged


def _pick(
    rows: dict[str, LazyRows],
    ids: Iterable[int],
    kinds: str | Sequence[str],
    limit: int,
) -> dict[int, list[Neighbour]]:
    names = _names(kinds)
    found: dict[int, list[Neighbour]] = {}
    for source in sorted(set(ids)):
        picked = [n for kind in names if kind in rows for n in rows[kind].get(source)[:limit]]
        if picked:
            found[source] = picked
    return found
