"""The artist matcher: the seed artist's other songs, then songs by similar artists."""

from __future__ import annotations

from musaic.matching.base import Candidate, Matcher, Seed, add_candidate, reason, top_k

ARTIST_KINDS = ("cooc", "credit", "tags")
KIND_WEIGHTS = {"cooc": 1.0, "credit": 0.8, "tags": 0.5}
SAME_ARTIST_SCORE = 1.0
TRACK_DECAY = 0.85  # each further track of one artist is worth a bit less than the one before
SIMILAR_ARTISTS = 25
TRACKS_PER_SIMILAR_ARTIST = 6


class ArtistMatcher(Matcher):
    """Rank the seed artist's songs and songs by similar artists and collaborators."""

    name = "artist"
    description = (
        "More by the seed's artist, then artists heard with, credited with or tagged like it."
    )
    signals = ("catalog", "artist_neighbours")

    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Rank same-artist tracks first, then similar artists' best tracks."""
        pool: dict[int, Candidate] = {}
        same = self.index.artist_top_tracks(seed.artist_ids, per_artist=k)
        for artist_id in seed.artist_ids:
            others = [t for t in same.get(artist_id, []) if t != seed.track_id]
            for i, track_id in enumerate(others):
                score = SAME_ARTIST_SCORE * TRACK_DECAY**i
                add_candidate(pool, track_id, score, reason("same_artist", "same artist"))
        similar = self.similar_artists(seed)
        names = self.index.artist_names(similar)
        tops = self.index.artist_top_tracks(similar, per_artist=TRACKS_PER_SIMILAR_ARTIST)
        for artist_id, (similarity, code) in similar.items():
            name = names.get(artist_id, "?")
            why = (
                reason("collaborator", f"artist who worked with the seed's: {name}", artist=name)
                if code == "credit"
                else reason("similar_artist", f"similar artist: {name}", artist=name)
            )
            for i, track_id in enumerate(tops.get(artist_id, [])):
                if track_id != seed.track_id:
                    add_candidate(pool, track_id, similarity * TRACK_DECAY**i, why)
        return top_k(pool, k)

    def similar_artists(self, seed: Seed) -> dict[int, tuple[float, str]]:
        """Return similar artists as {artist id: (similarity in 0..0.9, strongest kind)}."""
        found: dict[int, dict[str, float]] = {}
        neighbours = self.index.artist_neighbours(seed.artist_ids, ARTIST_KINDS)
        for rows in neighbours.values():
            best = {
                kind: max((r.score for r in rows if r.kind == kind), default=0.0)
                for kind in ARTIST_KINDS
            }
            for row in rows:
                if row.neighbour_id in seed.artist_ids or best[row.kind] <= 0:
                    continue
                per_kind = found.setdefault(row.neighbour_id, {})
                share = KIND_WEIGHTS[row.kind] * row.score / best[row.kind]
                per_kind[row.kind] = max(per_kind.get(row.kind, 0.0), share)
        if not any("credit" in kinds for kinds in found.values()):
            # No credit neighbours in the index (or no index): read shared credits directly.
            shared = self.index.co_credited_artists(seed.artist_ids)
            most = max(shared.values(), default=1)
            for artist_id, count in shared.items():
                per_kind = found.setdefault(artist_id, {})
                per_kind["credit"] = KIND_WEIGHTS["credit"] * count / most
        scored = {
            artist_id: (0.9 * min(1.0, sum(kinds.values())), max(kinds, key=kinds.__getitem__))
            for artist_id, kinds in found.items()
        }
        ordered = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
        return dict(ordered[:SIMILAR_ARTISTS])
