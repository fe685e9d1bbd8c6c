"""The one write path into the catalog: every importer's records go through CatalogWriter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import astuple

from sqlalchemy.orm import Session

from musaic.catalog.importers.records import (
    ArtistTagsRecord,
    PlaylistRecord,
    PlayRecord,
    TrackRecord,
)
from musaic.catalog.upsert.lookups import Tally
from musaic.catalog.upsert.playlists import PlaylistWriter, PlayWriter, write_artist_tags
from musaic.catalog.upsert.tracks import CatalogLookups, TrackWriter, artist_key

__all__ = ["CatalogLookups", "CatalogWriter", "Tally"]


class CatalogWriter:
    """Match records to catalog rows and write them in bulk; the caller owns the transaction.

    Tracks match by Spotify id, then ISRC, then match_key (primary artist + title) against a
    track with no other Spotify id; artists by Spotify id, then normalised name; albums by
    Spotify id, then name + primary artist. Lookups are loaded once, when the writer is made:
    the whole catalog for an import, or with `scope` only the rows those records could match
    (a request writing a few tracks; it must then write only those records), or passed in
    (`lookups`: a previous writer's, whose import committed).
    """

    def __init__(
        self,
        session: Session,
        *,
        source: str,
        history_key: str = "",
        scope: Sequence[TrackRecord] | None = None,
        lookups: CatalogLookups | None = None,
    ) -> None:
        self.source = source
        self.session = session
        self.tracks = TrackWriter(session, scope, lookups)
        self.lookups = self.tracks.lookups
        self.playlists = PlaylistWriter(session, self.tracks)
        self.plays = PlayWriter(session, self.tracks, history_key)
        self.tag_tally = Tally()
        self.recounted_tracks: list[int] = []
        self.named_tags: Counter[tuple[int, str]] = Counter()  # from artist-level records
        self.unknown_artists = 0

    def write_tracks(self, records: Sequence[TrackRecord]) -> list[int]:
        """Upsert tracks (with artists, album and credits); return their ids in order."""
        return self.tracks.write(records)

    def write_playlists(self, records: Sequence[PlaylistRecord]) -> None:
        """Upsert imported playlists and their tracks."""
        self.playlists.write(records)

    def write_plays(self, records: Sequence[PlayRecord]) -> None:
        """Add plays (and their tracks) to the writer's listening history."""
        if not self.plays.history_key:
            raise ValueError("a history_key is needed to import listening history")
        self.plays.write(records)

    def write_artist_tags(self, records: Sequence[ArtistTagsRecord]) -> None:
        """Tag the catalog's artists named in `records` (by normalised name, with their weights).

        An artist the catalog does not hold is counted in `unknown_artists`, not created: a
        list of genres is no evidence that the catalog should know the artist.
        """
        for record in records:
            hit = self.tracks.artists.find(None, [artist_key(record.artist)])
            if hit is None or hit[0] < 0:
                self.unknown_artists += 1
                continue
            self.named_tags.update({(hit[0], tag): w for tag, w in record.tags.items()})

    def finish(self) -> None:
        """Write the artist tags gathered so far and, if playlists changed, recount tracks."""
        tally = write_artist_tags(self.session, self.tracks.artist_tags, self.source)
        if self.named_tags:  # never lowers a weight another source gave the same tag
            named = write_artist_tags(self.session, self.named_tags, self.source, keep_higher=True)
            tally = Tally(*(a + b for a, b in zip(astuple(tally), astuple(named), strict=True)))
        self.tag_tally = tally
        playlists = self.playlists.rows.tally()
        if playlists.created or playlists.updated:
            self.recounted_tracks = self.playlists.recount_tracks()

    def notes(self) -> list[str]:
        """Return what an import should tell beyond its tallies."""
        if not self.unknown_artists:
            return []
        return [
            f"{self.unknown_artists} artists are not in the catalog: their tags were not "
            "written (import their tracks first, then this file again)"
        ]

    def tallies(self) -> dict[str, Tally]:
        """Return created/updated/unchanged counts by kind of row."""
        return {
            "tracks": self.tracks.track_rows.tally(),
            "artists": self.tracks.artist_rows.tally(),
            "albums": self.tracks.album_rows.tally(),
            "artist tags": self.tag_tally,
            "playlists": self.playlists.rows.tally(),
            "plays": self.plays.tally,
        }

    def changed_track_ids(self) -> set[int]:
        """Return the tracks whose search document may have changed."""
        return self.written_track_ids() | set(self.recounted_tracks)

    def written_track_ids(self) -> set[int]:
        """Return the tracks this import created or updated (not only recounted)."""
        rows = self.tracks.track_rows
        return rows.created | rows.updated
