"""Turn MPD playlists into (seed, held-out targets) cases against the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from musaic.catalog.normalise import match_key, normalise_artist
from musaic.models import Artist, Track, TrackArtist
from musaic.services.evaluation_playlists import Playlist
from musaic.spotify.refs import uri_id


class ArtistOf(dict[int, int]):
    """Track id -> primary artist id; a track without credits is its own (negative) artist."""

    def __missing__(self, track_id: int) -> int:
        return -(10**12) - track_id


@dataclass
class CatalogKeys:
    """How MPD tracks find catalog ids, and every catalog track's primary artist."""

    by_spotify_id: dict[str, int]
    by_match_key: dict[str, int]
    artist_by_name: dict[str, int]
    artist_of: ArtistOf
    _unknown: dict[str, int] = field(default_factory=dict)

    def unknown(self, key: str) -> int:
        """Return a stable negative id for something the catalog does not know."""
        return self._unknown.setdefault(key, -1 - len(self._unknown))


@dataclass(frozen=True)
class Case:
    """One held-out playlist: the seed the matcher sees and the tracks it should find."""

    pid: object
    seed: int
    targets: frozenset[int]  # catalog ids; negative ids are tracks the catalog lacks


def load_keys(session: Session) -> CatalogKeys:
    """Read the catalog's Spotify ids, match keys and primary artists."""
    by_spotify_id: dict[str, int] = {}
    by_match_key: dict[str, int] = {}
    for track_id, spotify_id, key in session.execute(
        select(Track.id, Track.spotify_id, Track.match_key).order_by(Track.id)
    ):
        if spotify_id:
            by_spotify_id[spotify_id] = track_id
        by_match_key.setdefault(key, track_id)
    artists = session.execute(select(Artist.normalised_name, Artist.id).order_by(Artist.id))
    artist_by_name: dict[str, int] = {}
    for name, artist_id in artists:
        artist_by_name.setdefault(name, artist_id)
    primary = select(TrackArtist.track_id, TrackArtist.artist_id).where(TrackArtist.position == 0)
    artist_of = ArtistOf((track_id, artist_id) for track_id, artist_id in session.execute(primary))
    return CatalogKeys(by_spotify_id, by_match_key, artist_by_name, artist_of)


def _spotify_id(uri: object) -> str | None:
    """Return the id part of "spotify:track:<id>"."""
    return uri_id(uri, "track") if isinstance(uri, str) else None


def _seed_of(tracks: list[dict[str, object]], keys: CatalogKeys) -> tuple[int, int | None]:
    """Return the position and catalog id of the first track the catalog knows."""
    for position, track in enumerate(tracks):
        found = keys.by_spotify_id.get(_spotify_id(track.get("track_uri")) or "")
        if found is None:
            artist, title = str(track.get("artist_name", "")), str(track.get("track_name", ""))
            found = keys.by_match_key.get(match_key(artist, title))
        if found is not None:
            return position, found
    return -1, None


def _target_of(track: dict[str, object], keys: CatalogKeys) -> int:
    """Return a target's catalog id, or a negative id (a sure miss) with its artist recorded."""
    uri = str(track.get("track_uri", ""))
    found = keys.by_spotify_id.get(_spotify_id(uri) or "")
    if found is not None:
        return found
    target = keys.unknown(f"track:{uri}")
    artist = normalise_artist(str(track.get("artist_name", "")))
    keys.artist_of[target] = keys.artist_by_name.get(artist) or keys.unknown(f"artist:{artist}")
    return target


def build_cases(playlists: Iterable[Playlist], keys: CatalogKeys) -> tuple[list[Case], int]:
    """Return one case per usable playlist and how many playlists had no usable seed/target."""
    cases: list[Case] = []
    skipped = 0
    for playlist in playlists:
        tracks = [t for t in playlist.get("tracks", []) if isinstance(t, dict)]
        position, seed = _seed_of(tracks, keys)
        others = tracks[:position] + tracks[position + 1 :] if seed is not None else []
        targets = frozenset(_target_of(t, keys) for t in others) - {seed}
        if seed is None or not targets:
            skipped += 1
            continue
        cases.append(Case(playlist.get("pid"), seed, targets))
    return cases, skipped
