"""SQLAlchemy rows; importing this package registers every table on the metadata."""

from musaic.models.catalog import AUDIO_FEATURES, Album, Artist, ArtistTag, Tag, Track, TrackArtist
from musaic.models.index import ArtistNeighbourList, IndexBuild, TrackNeighbourList
from musaic.models.playlists import (
    EXPORT_STATES,
    PLAYLIST_KINDS,
    ListeningEvent,
    Playlist,
    PlaylistExport,
    PlaylistTrack,
)
from musaic.models.ranker import RankerModel
from musaic.models.users import SpotifyToken, User

__all__ = [
    "AUDIO_FEATURES",
    "EXPORT_STATES",
    "PLAYLIST_KINDS",
    "Album",
    "Artist",
    "ArtistNeighbourList",
    "ArtistTag",
    "IndexBuild",
    "ListeningEvent",
    "Playlist",
    "PlaylistExport",
    "PlaylistTrack",
    "RankerModel",
    "SpotifyToken",
    "Tag",
    "Track",
    "TrackArtist",
    "TrackNeighbourList",
    "User",
]
