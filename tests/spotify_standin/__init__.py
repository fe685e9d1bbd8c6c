"""A Spotify stand-in for tests and local demos: accounts + Web API subset over real HTTP."""

from tests.spotify_standin.accounts import DEFAULT_SCOPES, IssuedTokens
from tests.spotify_standin.catalog import Catalog
from tests.spotify_standin.faults import Fault, FaultQueue
from tests.spotify_standin.render import StandInUser
from tests.spotify_standin.server import DEFAULT_CSV, DEFAULT_USERS, SpotifyStandIn
from tests.spotify_standin.wire import RecordedRequest

__all__ = [
    "DEFAULT_CSV",
    "DEFAULT_SCOPES",
    "DEFAULT_USERS",
    "Catalog",
    "Fault",
    "FaultQueue",
    "IssuedTokens",
    "RecordedRequest",
    "SpotifyStandIn",
    "StandInUser",
]
