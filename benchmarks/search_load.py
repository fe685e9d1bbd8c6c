"""Load TidyTuesday's spotify_songs.csv.gz into an empty catalog (until `musaic catalog import`)."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from pathlib import Path

from musaic.catalog.normalise import (
    match_key,
    normalise_artist,
    normalise_title,
    song_key,
    split_credit,
)
from musaic.extensions import db
from musaic.models import Album, Artist, Track, TrackArtist

TIDYTUESDAY = Path("tidytuesday_spotify_songs") / "spotify_songs.csv.gz"


def _year(date: str) -> int | None:
    return int(date[:4]) if date[:4].isdigit() else None


def load_tidytuesday(data_dir: Path, keep: Callable[[dict[str, str]], bool] | None = None) -> int:
    """Add every distinct TidyTuesday track (that `keep` accepts); return how many."""
    artists: dict[str, Artist] = {}
    albums: dict[str, Album] = {}
    seen: set[str] = set()
    with gzip.open(data_dir / TIDYTUESDAY, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["track_id"] in seen or not row["track_name"] or (keep and not keep(row)):
                continue
            seen.add(row["track_id"])
            names = split_credit(row["track_artist"] or "Unknown")
            album = albums.get(row["track_album_id"])
            if album is None:
                album = albums[row["track_album_id"]] = Album(
                    spotify_id=row["track_album_id"],
                    name=row["track_album_name"],
                    normalised_name=normalise_title(row["track_album_name"]),
                    release_date=row["track_album_release_date"][:10],
                    release_year=_year(row["track_album_release_date"]),
                )
            track = Track(
                spotify_id=row["track_id"],
                title=row["track_name"],
                normalised_title=normalise_title(row["track_name"]),
                match_key=match_key(names[0], row["track_name"]),
                song_key=song_key(names[0], row["track_name"]),
                album=album,
                release_year=album.release_year,
                popularity=int(row["track_popularity"] or 0),
                duration_ms=int(row["duration_ms"] or 0),
            )
            for position, name in enumerate(names):
                key = normalise_artist(name)
                artist = artists.setdefault(key, Artist(name=name, normalised_name=key))
                track.credits.append(TrackArtist(position=position, artist=artist))
            db.session.add(track)
            if len(seen) % 5000 == 0:
                db.session.commit()
    db.session.commit()
    return len(seen)
