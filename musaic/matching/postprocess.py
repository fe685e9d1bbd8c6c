"""The one post-processing step every matcher's ranking goes through before it is a playlist."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from musaic.matching.base import Candidate, Seed, reason
from musaic.matching.types import PopularityThresholds, TrackInfo

Popularity = Literal["mainstream", "balanced", "discovery"]
JITTER = 0.06  # scores within ~6% of each other may swap places: variety without losing quality
FLOW_WINDOW = 4  # the next track is picked among this many best remaining candidates
TEMPO_SPAN = 60.0  # beats per minute that count as much as the whole 0..1 energy range
# `discovery` demotes instead of dropping: a candidate at rank r (0 = best) competes as if at
# (r + 1) x DISCOVERY_PENALTY[level] - 1, level 0 a rarity, 1 the middle third, 2 a hit. So a hit
# the matcher ranks first stands level with the 9th-best rarity; playlists stay full. It also
# asks the matcher for a deeper list (length x DISCOVERY_DEPTH, every candidate the learned
# stage scores at length 30), so the rarer good matches are there to be lifted.
# docs/quality-round3.md "Beyond accuracy" measured the hard filter and these settings.
DISCOVERY_PENALTY = (1.0, 3.0, 9.0)
RANK_DEPTH = 4  # matchers rank length x 4 so filters and caps still leave a full playlist
DISCOVERY_DEPTH = 10


@dataclass(frozen=True)
class Options:
    """The listener's post-processing options (see docs/playlists.md)."""

    max_per_artist: int = 3
    include_seed: bool = True
    exclude_explicit: bool = False
    year_min: int | None = None
    year_max: int | None = None
    popularity: Popularity = "balanced"
    exclude_tracks: frozenset[int] = field(default_factory=frozenset)
    seed: int | None = None

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> Options:
        """Return the options named in `values` (as `to_json` writes them); the rest default."""
        known = {f.name for f in fields(cls)} & set(values)
        chosen = {name: values[name] for name in known}
        if "exclude_tracks" in chosen:
            chosen["exclude_tracks"] = frozenset(chosen["exclude_tracks"])
        return cls(**chosen)

    def to_json(self) -> dict[str, Any]:
        """Return the options as plain JSON values (what a saved playlist stores)."""
        values = asdict(self)
        values["exclude_tracks"] = sorted(self.exclude_tracks)
        return values


def popularity_level(info: TrackInfo, thresholds: PopularityThresholds) -> int:
    """Return 2 for a hit (top third), 0 for a rarity (bottom third), else 1."""
    low_count, high_count = thresholds.playlist_count
    pop = thresholds.popularity
    if info.playlist_count > high_count or (pop and (info.popularity or 0) > pop[1]):
        return 2
    rare_by_count = info.playlist_count <= low_count
    rare_by_popularity = pop is None or info.popularity is None or info.popularity <= pop[0]
    return 0 if rare_by_count and rare_by_popularity else 1


def _allowed(info: TrackInfo, options: Options, thresholds: PopularityThresholds) -> bool:
    if info.id in options.exclude_tracks:
        return False
    if options.exclude_explicit and info.explicit:
        return False
    year = info.release_year
    if options.year_min is not None and (year is None or year < options.year_min):
        return False
    if options.year_max is not None and (year is None or year > options.year_max):
        return False
    if options.popularity == "mainstream":
        return popularity_level(info, thresholds) > 0
    return True


def ranking_depth(options: Options, length: int) -> int:
    """Return how many candidates to ask the matcher for, for a playlist of `length`."""
    return length * (DISCOVERY_DEPTH if options.popularity == "discovery" else RANK_DEPTH)


def discovery_order(
    candidates: Sequence[Candidate],
    tracks: Mapping[int, TrackInfo],
    thresholds: PopularityThresholds,
) -> list[Candidate]:
    """Re-score best-first candidates by rank, hits and the middle third demoted (not dropped).

    The new score is 1 / ((rank + 1) x DISCOVERY_PENALTY[level]): rank-based, so it works the
    same whatever scale a matcher's scores have (the learned stage's may be negative).
    """
    rescored = []
    for rank, c in enumerate(candidates):
        info = tracks.get(c.track_id)
        level = popularity_level(info, thresholds) if info is not None else 2
        rescored.append(
            Candidate(c.track_id, 1.0 / ((rank + 1) * DISCOVERY_PENALTY[level]), c.reasons)
        )
    return rescored


def _shuffle_near_ties(candidates: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    keyed = [(c.score * (1.0 + rng.uniform(-JITTER, JITTER)), c.track_id, c) for c in candidates]
    return [c for _, _, c in sorted(keyed, key=lambda t: (-t[0], t[1]))]


def select_tracks(
    seed: Seed,
    candidates: Sequence[Candidate],
    tracks: Mapping[int, TrackInfo],
    options: Options,
    length: int,
    thresholds: PopularityThresholds,
) -> list[Candidate]:
    """Pick the best `length` candidates honouring de-duplication, caps and filters."""
    rng = random.Random(options.seed)  # None seeds from the OS: a fresh variation each time
    songs = {seed.song_key}
    per_artist: Counter[int] = Counter(seed.artist_ids[:1]) if options.include_seed else Counter()
    chosen: list[Candidate] = []
    if options.popularity == "discovery":
        candidates = discovery_order(candidates, tracks, thresholds)
    for candidate in _shuffle_near_ties(candidates, rng):
        info = tracks.get(candidate.track_id)
        if info is None or candidate.track_id == seed.track_id or info.song_key in songs:
            continue
        primary = info.artist_ids[0] if info.artist_ids else None
        if primary is not None and per_artist[primary] >= options.max_per_artist:
            continue
        if not _allowed(info, options, thresholds) or not candidate.reasons:
            continue
        songs.add(info.song_key)
        if primary is not None:
            per_artist[primary] += 1
        chosen.append(candidate)
        if len(chosen) >= length:
            break
    return chosen


def _flow_gap(a: TrackInfo, b: TrackInfo) -> float:
    if a.features is None or b.features is None:
        return 0.0
    energy = abs(a.features.get("energy", 0.0) - b.features.get("energy", 0.0))
    tempo = abs(a.features.get("tempo", 0.0) - b.features.get("tempo", 0.0)) / TEMPO_SPAN
    return energy + tempo


@dataclass(frozen=True)
class _Pending:
    """A chosen track waiting for its place, with the facts ordering looks at precomputed."""

    candidate: Candidate
    info: TrackInfo
    artists: frozenset[int]
    primary: tuple[int, ...]  # the first artist, or () for an uncredited track


def _next_track(
    previous: TrackInfo | None, remaining: list[_Pending], primaries: Counter[tuple[int, ...]]
) -> int:
    """Pick the next track: a different artist if possible, near the top, with a smooth flow.

    Returns its position in `remaining`; `primaries` counts the first artists still there.
    """
    taken = frozenset(previous.artist_ids) if previous else frozenset()
    # An artist holding over half of what is left must go now, or it repeats at the end.
    may_be_urgent = max(primaries.values(), default=0) * 2 > len(remaining)
    window: list[int] = []
    first_fresh = None
    for i, pending in enumerate(remaining):
        if not taken.isdisjoint(pending.artists):
            continue
        if may_be_urgent and primaries[pending.primary] * 2 > len(remaining):
            return i
        first_fresh = i if first_fresh is None else first_fresh
        if i < FLOW_WINDOW:
            window.append(i)
        elif not may_be_urgent:
            break
    window = window or ([first_fresh] if first_fresh is not None else [])
    if not window:  # every remaining track repeats the artist: unavoidable
        return 0
    if previous is None:
        return window[0]
    return min(window, key=lambda i: i * 0.25 + _flow_gap(previous, remaining[i].info))


def order_tracks(
    first: TrackInfo | None, chosen: Sequence[Candidate], tracks: Mapping[int, TrackInfo]
) -> list[Candidate]:
    """Order by score, never the same artist twice in a row when avoidable, smoothing the flow."""
    remaining = []
    for c in chosen:
        info = tracks[c.track_id]
        remaining.append(_Pending(c, info, frozenset(info.artist_ids), info.artist_ids[:1]))
    primaries = Counter(p.primary for p in remaining)
    ordered: list[Candidate] = []
    previous = first
    while remaining:
        pick = remaining.pop(_next_track(previous, remaining, primaries))
        primaries[pick.primary] -= 1
        ordered.append(pick.candidate)
        previous = pick.info
    return ordered


def postprocess(
    seed: Seed,
    candidates: Sequence[Candidate],
    tracks: Mapping[int, TrackInfo],
    options: Options,
    length: int,
    thresholds: PopularityThresholds,
) -> list[Candidate]:
    """Turn a matcher's ranking into the playlist: filter, de-duplicate, cap, then order.

    `tracks` must hold a TrackInfo for the seed and every candidate (IndexReader.track_infos).
    The result has at most `length` entries, the seed first when `options.include_seed`.
    """
    seed_info = tracks.get(seed.track_id)
    with_seed = options.include_seed and seed_info is not None
    room = length - 1 if with_seed else length
    chosen = select_tracks(seed, candidates, tracks, options, room, thresholds)
    ordered = order_tracks(seed_info if with_seed else None, chosen, tracks)
    if with_seed:
        ordered.insert(0, Candidate(seed.track_id, 1.0, [reason("seed", "the seed track")]))
    return ordered
