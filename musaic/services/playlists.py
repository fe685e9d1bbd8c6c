"""Generate playlists from a seed, and list, read, edit and delete the listener's playlists."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, false, func, insert, or_, select
from sqlalchemy.orm import selectinload

from musaic.errors import NotFoundError, field_error
from musaic.extensions import db
from musaic.matching.base import Candidate, Reason, Seed
from musaic.matching.index_reader import IndexReader, TrackInfo
from musaic.matching.postprocess import Options, postprocess, ranking_depth
from musaic.matching.registry import DEFAULT_MATCHER, MATCHERS
from musaic.models import Playlist, PlaylistTrack, Track, TrackArtist, driver
from musaic.services.listener import Listener
from musaic.services.seeds import CallBudget, SpotifyTracks, resolve_seed
from musaic.services.track_details import TrackDetails, track_details

_TRACK_DETAILS = (  # what a playlist's JSON shows of each track
    selectinload(Track.credits).selectinload(TrackArtist.artist),
    selectinload(Track.album),
)


@dataclass(frozen=True)
class GenerateRequest:
    """What the listener asked for: seed, length, matcher, name and options."""

    seed: int | str
    length: int = 30
    matcher: str = DEFAULT_MATCHER
    name: str | None = None
    options: Options = field(default_factory=Options)


@dataclass
class GeneratedPlaylist:
    """A playlist before it is saved: ordered candidates plus what explains and measures them."""

    seed: Seed
    items: list[Candidate]
    tracks: Mapping[int, TrackInfo]
    notes: list[str]
    timings: dict[str, float]
    spotify_calls: int


def _elapsed_ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def build_playlist(
    request: GenerateRequest, listener: Listener, *, spotify: SpotifyTracks | None = None
) -> GeneratedPlaylist:
    """Resolve the seed, run the matcher and post-process, without saving anything.

    Raises:
        ValidationError: unknown matcher or malformed seed (400 naming the field).
        NotFoundError / UnprocessableError: the seed cannot be found (see resolve_seed).
    """
    if request.matcher not in MATCHERS:
        raise field_error("matcher", f"must be one of {sorted(MATCHERS)}")
    started = time.perf_counter()
    budget = CallBudget()
    logged_in = listener.user_id is not None
    seed_id = resolve_seed(request.seed, logged_in=logged_in, spotify=spotify, budget=budget)
    index = IndexReader(db.session)
    seed = index.seed(seed_id)
    if seed is None:
        raise NotFoundError(f"No track {seed_id} in the catalog.", code="seed_not_found")
    timings = {"resolve": _elapsed_ms(started)}
    step = time.perf_counter()
    depth = ranking_depth(request.options, request.length)
    ranked = MATCHERS[request.matcher](index).rank(seed, depth)
    timings["match"] = _elapsed_ms(step)
    step = time.perf_counter()
    tracks = index.track_infos([seed.track_id, *(c.track_id for c in ranked)])
    items = postprocess(
        seed, ranked, tracks, request.options, request.length, index.popularity_thresholds()
    )
    timings["postprocess"] = _elapsed_ms(step)
    notes = _notes(len(items), request.length, index.build_id is None)
    return GeneratedPlaylist(seed, items, tracks, notes, timings, budget.used)


def _notes(found: int, length: int, no_index: bool) -> list[str]:
    notes = []
    if found < length:
        notes.append(
            f"Only {found} of the {length} requested tracks matched the seed and options; "
            "loosen the filters or try another matcher for more."
        )
    if no_index:
        notes.append("No similarity index is built yet: matched on artists, tags and sound only.")
    return notes


_ITEM_COLUMNS = ("position", "track_id", "score", "reasons")
_PLAYLIST_COLUMNS = (
    "kind",
    "source",
    "owner_id",
    "session_key",
    "name",
    "seed_track_id",
    "matcher",
    "options",
)
_PLAYLISTS: Table = Playlist.__table__  # type: ignore[assignment]
_PLAYLIST_TRACKS: Table = PlaylistTrack.__table__  # type: ignore[assignment]
# Built once and run on the cursor (musaic.models.driver): exactly these columns are written,
# the timestamps are the server's defaults.
_INSERT_PLAYLIST = (
    insert(_PLAYLISTS)
    .values({name: bindparam(name, type_=_PLAYLISTS.c[name].type) for name in _PLAYLIST_COLUMNS})
    .returning(_PLAYLISTS.c.id, _PLAYLISTS.c.created_at)
)
_INSERT_ITEMS = insert(_PLAYLIST_TRACKS).values(
    {
        name: bindparam(name, type_=_PLAYLIST_TRACKS.c[name].type)
        for name in ("playlist_id", *_ITEM_COLUMNS)
    }
)


@dataclass(frozen=True)
class SavedItem:
    """One track of a just-saved playlist, as its JSON shows it."""

    position: int
    track_id: int
    score: float
    reasons: list[Reason]
    track: TrackDetails


@dataclass(frozen=True)
class SavedPlaylist:
    """A just-generated playlist as saved: what `get_playlist` would load, as plain values."""

    id: int
    name: str
    seed_track_id: int
    matcher: str
    options: dict[str, Any]
    created_at: datetime
    items: list[SavedItem]
    spotify_playlist_id: str | None = None
    exported_at: datetime | None = None


def generate_playlist(
    request: GenerateRequest, listener: Listener, *, spotify: SpotifyTracks | None = None
) -> tuple[SavedPlaylist, GeneratedPlaylist]:
    """Build a playlist from the seed and save it for `listener` (see build_playlist).

    Returns:
        The saved playlist (items with their track details) and the generation details:
        notes, per-phase timings in milliseconds (resolve, match, postprocess, save) and the
        number of Spotify calls made (0 for a catalog seed, at most 8 otherwise).
    """
    generated = build_playlist(request, listener, spotify=spotify)
    step = time.perf_counter()
    seed = generated.seed.track_id
    name = request.name or f"{generated.tracks[seed].title} mix"
    options = {**request.options.to_json(), "length": request.length}
    row = {
        "kind": "generated",
        "source": "musaic",
        "owner_id": listener.user_id,
        "session_key": listener.history_key,
        "name": name,
        "seed_track_id": seed,
        "matcher": request.matcher,
        "options": options,
    }
    # One INSERT for the playlist, one executemany for its tracks, on the cursor; the answer is
    # built from what was written plus one read, and only then committed (no read after).
    ((playlist_id, created_at),) = driver.rows(db.session, _INSERT_PLAYLIST, row)
    details = track_details(c.track_id for c in generated.items)
    items = [
        SavedItem(i, c.track_id, round(c.score, 6), c.reasons, details[c.track_id])
        for i, c in enumerate(generated.items)
    ]
    driver.execute_many(
        db.session,
        _INSERT_ITEMS,
        [
            {"playlist_id": playlist_id, **{k: getattr(item, k) for k in _ITEM_COLUMNS}}
            for item in items
        ],
    )
    if isinstance(created_at, str):  # SQLite's CURRENT_TIMESTAMP, as the ORM would read it
        created_at = datetime.fromisoformat(created_at)
    saved = SavedPlaylist(playlist_id, name, seed, request.matcher, options, created_at, items)
    db.session.commit()
    generated.timings["save"] = _elapsed_ms(step)
    return saved, generated


def commit_keeping_loaded() -> None:
    """Commit without expiring what is loaded, so nothing reads the database after the commit.

    A read after the commit could fail (the database just went away) and turn a saved playlist
    into an error answer; loading first and committing last leaves no such window.
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _visible_to(listener: Listener) -> ColumnElement[bool]:
    mine = []
    if listener.user_id is not None:
        mine.append(Playlist.owner_id == listener.user_id)
    if listener.history_key:
        mine.append(Playlist.session_key == listener.history_key)
    if not mine:
        return false()
    return (Playlist.kind == "generated") & or_(*mine)


def list_playlists(
    listener: Listener, *, limit: int = 20, offset: int = 0
) -> tuple[list[Playlist], int]:
    """Return one page of the listener's generated playlists, newest first, and the total."""
    visible = _visible_to(listener)
    total = db.session.scalar(select(func.count(Playlist.id)).where(visible)) or 0
    rows = db.session.scalars(
        select(Playlist)
        .where(visible)
        .options(selectinload(Playlist.items))
        .order_by(Playlist.created_at.desc(), Playlist.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_playlist(playlist_id: int, listener: Listener) -> Playlist:
    """Return the listener's playlist with its tracks, artists and albums loaded.

    Raises:
        NotFoundError: no such playlist, or it belongs to another listener (404 either way).
    """
    track = selectinload(Playlist.items).selectinload(PlaylistTrack.track)
    playlist = db.session.scalar(
        select(Playlist)
        .where(Playlist.id == playlist_id, _visible_to(listener))
        .options(*(track.options(detail) for detail in _TRACK_DETAILS))
        .execution_options(populate_existing=True)
    )
    if playlist is None:
        raise NotFoundError(f"No playlist {playlist_id}.", code="playlist_not_found")
    return playlist


def update_playlist(
    playlist_id: int,
    listener: Listener,
    *,
    name: str | None = None,
    remove_track_ids: list[int] | None = None,
    order: list[int] | None = None,
) -> Playlist:
    """Rename the playlist, remove tracks, then reorder what is left.

    `order` lists the current positions (after removals) in their new order and must be a
    permutation of 0..n-1.

    Raises:
        NotFoundError: not the listener's playlist (404).
        ValidationError: a removed track is not in the playlist, or `order` is not a permutation.
    """
    playlist = get_playlist(playlist_id, listener)
    if name is not None:
        playlist.name = name
    items = [(i.track_id, i.score, i.reasons) for i in playlist.items]
    if remove_track_ids:
        unknown = sorted(set(remove_track_ids) - {track_id for track_id, _, _ in items})
        if unknown:
            raise field_error("remove_track_ids", f"not in this playlist: {unknown}")
        items = [item for item in items if item[0] not in set(remove_track_ids)]
    if order is not None:
        if sorted(order) != list(range(len(items))):
            raise field_error("order", f"must be a permutation of 0..{len(items) - 1}")
        items = [items[position] for position in order]
    if remove_track_ids or order is not None:
        playlist.items.clear()
        db.session.flush()  # free the (playlist, position) keys before re-inserting
        playlist.items.extend(
            PlaylistTrack(position=i, track_id=t, score=s, reasons=r)
            for i, (t, s, r) in enumerate(items)
        )
    db.session.flush()
    updated = get_playlist(playlist_id, listener)
    commit_keeping_loaded()
    return updated


def delete_playlist(playlist_id: int, listener: Listener) -> None:
    """Delete the listener's playlist (404 when it is not theirs)."""
    playlist = get_playlist(playlist_id, listener)
    db.session.delete(playlist)
    db.session.commit()
