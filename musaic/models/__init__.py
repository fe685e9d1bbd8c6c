"""SQLAlchemy rows; importing this package registers every table on the metadata."""

from musaic.models.catalog import (
    AUDIO_FEATURES,
    TOP_TRACK_ORDER,
    Album,
    Artist,
    ArtistTag,
    Tag,
    Track,
    TrackArtist,
)
from musaic.models.index import (
    ARTIST_TRACKS_K,
    ARTIST_TRACKS_KIND,
    ArtistNeighbourList,
    IndexBuild,
    TrackNeighbourList,
)
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
    "ARTIST_TRACKS_K",
    "ARTIST_TRACKS_KIND",
    "AUDIO_FEATURES",
    "EXPORT_STATES",
    "PLAYLIST_KINDS",
    "TOP_TRACK_ORDER",
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
