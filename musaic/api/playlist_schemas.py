"""Request and response shapes of /api/playlists (validated by pydantic, documented in OpenAPI)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from musaic.api.schemas import DB_INT_MAX, DbId, DbOffset, Page, integral
from musaic.api.tracks import TrackOut
from musaic.matching.registry import DEFAULT_MATCHER, MATCHERS

MAX_EXCLUDED_TRACKS = 500
# Every string form of a seed (services/seeds.py reads the same), for validation and the schema.
SEED_REF = (
    r"^(\d{1,10}|[0-9A-Za-z]{22}|spotify:track:[0-9A-Za-z]{22}"
    r"|https?://open\.spotify\.com/(intl-[A-Za-z0-9_-]+/)?track/[0-9A-Za-z]{22}([/?#].*)?)$"
)
_SEED_REF = re.compile(SEED_REF)
Year = Annotated[int, Field(ge=1900, le=2100), BeforeValidator(integral)]
RandomSeed = Annotated[int, Field(ge=0, le=2**63 - 1), BeforeValidator(integral)]
PerArtist = Annotated[int, Field(ge=1, le=10), BeforeValidator(integral)]
Length = Annotated[int, Field(ge=5, le=100, strict=True), BeforeValidator(integral)]
Position = Annotated[int, Field(ge=0, le=99), BeforeValidator(integral)]


class OptionsIn(BaseModel):
    """How to shape the playlist once the matcher has ranked candidates."""

    model_config = ConfigDict(extra="forbid", strict=True)

    max_per_artist: PerArtist = Field(3, description="most tracks by one artist")
    include_seed: bool = Field(True, description="start the playlist with the seed")
    exclude_explicit: bool = False
    year_min: Year | None = None
    year_max: Year | None = None
    popularity: Literal["mainstream", "balanced", "discovery"] = Field(
        "balanced", description="mainstream drops rarities, discovery demotes hits"
    )
    exclude_tracks: list[DbId] = Field(default_factory=list, max_length=MAX_EXCLUDED_TRACKS)
    seed: RandomSeed | None = Field(None, description="same request + same seed = same playlist")

    @field_validator("year_max")
    @classmethod
    def _not_before_year_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        year_min = info.data.get("year_min")
        if value is not None and year_min is not None and value < year_min:
            raise ValueError("must be greater than or equal to options.year_min")
        return value


class GenerateIn(BaseModel):
    """Make a playlist from one seed track."""

    model_config = ConfigDict(extra="forbid")

    seed: StrictInt | StrictStr = Field(
        description="catalog id, 22-character Spotify id, spotify:track: URI or "
        "open.spotify.com/track/ URL",
        union_mode="left_to_right",
        json_schema_extra={
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
                {"type": "string", "minLength": 1, "maxLength": 300, "pattern": SEED_REF},
            ]
        },
    )
    length: Length = 30
    matcher: str = Field(
        DEFAULT_MATCHER,
        description="a name from GET /api/matchers",
        json_schema_extra={"enum": list[JsonValue](sorted(MATCHERS))},
    )
    name: str | None = Field(None, min_length=1, max_length=300)
    options: OptionsIn = Field(default_factory=OptionsIn)  # type: ignore[arg-type]

    @field_validator("seed", mode="before")
    @classmethod
    def _integral_seed(cls, value: Any) -> Any:
        return integral(value)

    @field_validator("seed")
    @classmethod
    def _seed_length(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 1 <= value <= DB_INT_MAX:
            raise ValueError(f"a catalog id is 1 to {DB_INT_MAX}")
        if isinstance(value, str) and not 0 < len(value) <= 300:
            raise ValueError("must be 1 to 300 characters")
        if isinstance(value, str) and not _SEED_REF.fullmatch(value):
            raise ValueError(
                "must be a track id, a 22-character Spotify id, a spotify:track: URI "
                "or an open.spotify.com/track/ URL"
            )
        return value

    @field_validator("matcher")
    @classmethod
    def _known_matcher(cls, value: str) -> str:
        if value not in MATCHERS:
            raise ValueError(f"must be one of {sorted(MATCHERS)}")
        return value


class PlaylistPath(BaseModel):
    """A playlist id."""

    playlist_id: DbId


class PlaylistsQuery(BaseModel):
    """Paging of the listener's playlists."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(20, ge=1, le=100)
    offset: DbOffset = 0


class PlaylistPatch(BaseModel):
    """Rename, remove tracks, then reorder (positions after removal, a permutation of 0..n-1)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=300)
    remove_track_ids: list[DbId] | None = Field(None, max_length=100)
    order: list[Position] | None = Field(None, max_length=100)


class ReasonOut(BaseModel):
    """Why a track is there: a machine-readable code, its parameters, and words."""

    model_config = ConfigDict(extra="allow")

    code: str
    text: str


class ItemOut(BaseModel):
    """One track of a playlist at its position, with its score and reasons."""

    position: int
    track: TrackOut
    score: float | None
    reasons: list[ReasonOut]


class PlaylistOut(BaseModel):
    """A generated playlist with its tracks in order."""

    id: int
    name: str
    seed_track: TrackOut | None
    matcher: str | None
    options: dict[str, Any]
    created_at: datetime
    items: list[ItemOut]
    notes: list[str] = Field(default_factory=list)
    spotify_playlist: SpotifyPlaylistRefOut | None = None
    exported_at: datetime | None = None


class PlaylistSummaryOut(BaseModel):
    """A playlist in a list: enough to show it and open it."""

    id: int
    name: str
    seed_track_id: int | None
    matcher: str | None
    track_count: int
    created_at: datetime


class PlaylistPageOut(Page[PlaylistSummaryOut]):
    """A page of the listener's playlists, newest first."""


class SpotifyPlaylistRefOut(BaseModel):
    """The Spotify playlist a Musaic playlist was saved to."""

    id: str
    url: str


class ExportIn(BaseModel):
    """How to save a playlist to Spotify; anything left out is derived from the playlist."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(None, min_length=1, max_length=100)
    description: StrictStr | None = Field(None, max_length=300)
    public: bool = Field(False, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_body_is_no_options(cls, data: Any) -> Any:
        return {} if data is None else data


class SpotifyPlaylistOut(SpotifyPlaylistRefOut):
    """The Spotify playlist written, with the snapshot id of its last write."""

    uri: str
    snapshot_id: str


class UnresolvedOut(BaseModel):
    """A track Spotify could not be matched to (left out of the Spotify playlist)."""

    track_id: int
    title: str
    artists: list[str]


class ExportOut(BaseModel):
    """The outcome of saving a playlist to Spotify (201 when the playlist was created)."""

    spotify_playlist: SpotifyPlaylistOut
    created: bool
    written: int
    unresolved: list[UnresolvedOut]
    spotify_calls: int
    notes: list[str] = Field(default_factory=list)


class PlaylistFilePath(BaseModel):
    """A playlist id and a file format."""

    playlist_id: int = Field(ge=1)
    file_format: Literal["m3u8", "csv", "jspf"]
