"""SQLAlchemy rows; importing this package registers every table on the metadata."""

from musaic.models.catalog import AUDIO_FEATURES, Album, Artist, ArtistTag, Tag, Track, TrackArtist
from musaic.models.index import ArtistNeighbour, IndexBuild, TrackNeighbour
from musaic.models.playlists import PLAYLIST_KINDS, ListeningEvent, Playlist, PlaylistTrack
from musaic.models.ranker import RankerModel
from musaic.models.users import SpotifyToken, User

__all__ = [
    "AUDIO_FEATURES",
    "PLAYLIST_KINDS",
    "Album",
    "Artist",
    "ArtistNeighbour",
    "ArtistTag",
    "IndexBuild",
    "ListeningEvent",
    "Playlist",
    "PlaylistTrack",
    "RankerModel",
    "SpotifyToken",
    "Tag",
    "Track",
    "TrackArtist",
    "TrackNeighbour",
    "User",
]
