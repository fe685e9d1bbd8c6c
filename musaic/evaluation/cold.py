"""Cold seeds: a view of the index in which the seed is a track no playlist holds yet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from musaic.matching.reads import ForwardingReads, IndexReads
from musaic.matching.types import Neighbour, Seed, TrackInfo

# Neighbour kinds learned from playlists: a track no playlist holds has no row of these. Audio
# neighbours and everything about its artist (credits, tags, the artist's other tracks) stay.
PLAYLIST_KINDS = frozenset({"cooc", "embed", "als"})


def _kinds(kinds: str | Sequence[str]) -> list[str]:
    return [kinds] if isinstance(kinds, str) else list(kinds)


class ColdSeedReads(ForwardingReads):
    """Delegate every read to `inner`, except that the current seed is in no playlist.

    `seed(track_id)` makes that track the cold one: its playlist-learned neighbour rows are
    hidden and its playlist count reads 0. What it leaves visible: other tracks' rows, in which
    the seed may still appear, and the artist-level neighbours its playlists helped to build
    (docs/quality-round3.md says how much that matters).
    """

    def __init__(self, inner: IndexReads) -> None:
        super().__init__(inner)
        self.cold: int | None = None

    def seed(self, track_id: int) -> Seed | None:
        """Return the seed with no playlists, and hide its playlist rows from now on."""
        self.cold = track_id
        found = self.inner.seed(track_id)
        return None if found is None else replace(found, playlist_count=0)

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Return the inner rows, the cold seed's playlist-learned rows left out."""
        ids = list(track_ids)
        rows = self.inner.track_neighbours(ids, kinds, limit)
        if self.cold in rows:
            kept = [n for n in rows[self.cold] if n.kind not in PLAYLIST_KINDS]
            rows = {t: r for t, r in rows.items() if t != self.cold}
            if kept:
                rows[self.cold] = kept
        return rows

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the inner artist rows unchanged."""
        return self.inner.artist_neighbours(artist_ids, _kinds(kinds), limit)

    def track_infos(self, track_ids: Iterable[int]) -> Mapping[int, TrackInfo]:
        """Return the inner facts, the cold seed in no playlist."""
        infos, cold = self.inner.track_infos(track_ids), self.cold
        if cold is not None and cold in infos:
            return {**infos, cold: infos[cold]._replace(playlist_count=0)}
        return infos

    def playlist_counts(self, track_ids: Iterable[int]) -> dict[int, int]:
        """Return the inner counts, 0 for the cold seed."""
        counts = self.inner.playlist_counts(track_ids)
        if self.cold in counts:
            counts[self.cold] = 0
        return counts


class ColdArtistReads(ColdSeedReads):
    """A cold seed whose artists are new too: the catalog knows them from this track only.

    On top of ColdSeedReads, the seed's artists have no playlist-learned neighbours and no
    other tracks. What is left is what a new artist's track brings with it: the artists' tags
    (genres), co-credits, and the track's audio features and audio neighbours — the case the
    tags and audio signals exist for.
    """

    def __init__(self, inner: IndexReads) -> None:
        super().__init__(inner)
        self.cold_artists: frozenset[int] = frozenset()

    def seed(self, track_id: int) -> Seed | None:
        """Return the cold seed, and hide its artists' playlist rows and tracks from now on."""
        found = super().seed(track_id)
        self.cold_artists = frozenset(found.artist_ids) if found is not None else frozenset()
        return found

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the inner artist rows, the cold artists' playlist-learned rows left out."""
        rows = self.inner.artist_neighbours(artist_ids, _kinds(kinds), limit)
        for artist in self.cold_artists & rows.keys():
            kept = [n for n in rows[artist] if n.kind not in PLAYLIST_KINDS]
            if kept:
                rows[artist] = kept
            else:
                del rows[artist]
        return rows

    def artist_top_tracks(self, artist_ids: Iterable[int], per_artist: int) -> dict[int, list[int]]:
        """Return the inner top tracks, none for a cold artist."""
        ids = [a for a in artist_ids if a not in self.cold_artists]
        return self.inner.artist_top_tracks(ids, per_artist)

    def artist_top_tracks_counted(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, list[tuple[int, int]]]:
        """Return the inner counted top tracks, none for a cold artist."""
        ids = [a for a in artist_ids if a not in self.cold_artists]
        return self.inner.artist_top_tracks_counted(ids, per_artist)
