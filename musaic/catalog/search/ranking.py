"""Rank candidate documents (exact > prefix > fuzzy, then prominence) and group versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from musaic.catalog.search.query import ParsedQuery

EXACT, PREFIX, FUZZY, MISSING = 3, 2, 1, 0
FIELD_WEIGHTS = (("title", 1.0), ("artists", 0.8), ("album", 0.5))
MIN_PREFIX_LENGTH = 2
TITLE_BONUS = 3.0
ORDER_BONUS = 3.5  # the song title begins with the query as typed, in that order
# An artist match weighs 0.8 of a title match; this bonus evens a whole-name match out.
ARTIST_BONUS = TITLE_BONUS + EXACT * (1.0 - 0.8)


@dataclass(frozen=True)
class Candidate:
    """A document the database matched, with what ranking and grouping need."""

    track_id: int
    title: str
    artists: str
    album: str
    prominence: float
    song_key: str
    normalised_title: str
    release_year: int | None

    @property
    def is_original(self) -> bool:
        """Say whether this is the plain version of its song (no remaster/live/edit suffix)."""
        return self.normalised_title == self.song_key.partition("|")[2]


@dataclass(frozen=True)
class _Word:
    """One query word with what ranking needs to know about it, computed once per query."""

    text: str
    typing: bool  # the last word, still being typed
    prefix: bool  # may match as the start of a longer token
    typos: tuple[tuple[str, ...], ...]  # alternatives, each a set of tokens that must all occur


def _words(query: ParsedQuery, typos: Mapping[str, Sequence[str]]) -> list[_Word]:
    words = query.tokens
    plan = []
    for index, word in enumerate(words):
        typing = query.prefix_last and index == len(words) - 1
        prefix = len(word) >= 3 or (typing and len(word) >= MIN_PREFIX_LENGTH)
        plan.append(
            _Word(word, typing, prefix, tuple(tuple(t.split()) for t in typos.get(word, ())))
        )
    return plan


def _matched(word: _Word, tokens: list[str], present: set[str]) -> tuple[int, set[str]]:
    """Return how well `word` matches these tokens, and which tokens it matched."""
    if word.text in present:
        return EXACT, {word.text}
    if word.prefix:
        started = {token for token in tokens if token.startswith(word.text)}
        if started:
            return PREFIX if word.typing else FUZZY, started  # cut short mid-query: a typo
    for parts in word.typos:
        if all(part in present for part in parts):
            return FUZZY, set(parts)
    return MISSING, set()


def _score(candidate: Candidate, words: list[_Word], typed: str) -> tuple[int, float, float]:
    """Return the weakest word match, the relevance, and the completion bonuses in it."""
    fields = [(name, getattr(candidate, name).split(), weight) for name, weight in FIELD_WEIGHTS]
    present = [(name, tokens, set(tokens), weight) for name, tokens, weight in fields]
    weakest, relevance = EXACT, 0.0
    covered: dict[str, set[str]] = {name: set() for name, _ in FIELD_WEIGHTS}
    matched_by: dict[str, set[int]] = {name: set() for name, _ in FIELD_WEIGHTS}
    artist_quality = 0  # how well the words matched the artists, as if that were the title
    for index, word in enumerate(words):
        best, score = MISSING, 0.0
        for name, tokens, token_set, weight in present:
            quality, matched = _matched(word, tokens, token_set)
            if quality:
                covered[name] |= matched
                matched_by[name].add(index)
                best, score = max(best, quality), max(score, quality * weight)
                artist_quality += quality if name == "artists" else 0
        # A word still being typed is complete as far as the listener knows.
        weakest = min(weakest, EXACT if word.typing and best == PREFIX else best)
        relevance += score
    song_title = candidate.song_key.partition("|")[2].replace(" ", "")
    bonus = _completion_bonus(song_title, fields[0][1], fields[1][1], covered, matched_by)
    if typed and song_title.startswith(typed):
        bonus += ORDER_BONUS
    relevance += bonus
    if len(matched_by["artists"]) == len(words):
        relevance = max(relevance, _as_artist_name(fields[1][1], covered, typed, artist_quality))
    return weakest, relevance, bonus


def _as_artist_name(
    artists: list[str], covered: Mapping[str, set[str]], typed: str, quality: int
) -> float:
    """Score a query made of one credited artist's whole name as if it were the song's title.

    A listener who types "prince" or "frank ocean" means the artist as surely as one who types
    a whole title means that song: the two rank alike, and prominence decides between them, so
    the artist's hits are not buried under lesser songs titled (or beginning) like the name.
    """
    names = [name.split() for name in " ".join(artists).split(" , ") if name]
    spelled = [name for name in names if set(name) <= covered["artists"]]
    if not spelled:
        return 0.0
    score = quality + TITLE_BONUS
    if typed and any("".join(name).startswith(typed) for name in spelled):
        score += ORDER_BONUS
    return score


def _sort_key(candidate: Candidate, words: list[_Word], typed: str) -> tuple[float, ...]:
    weakest, relevance, _ = _score(candidate, words, typed)
    return (-weakest, -relevance, -candidate.prominence, candidate.track_id)


def complete(candidates: Sequence[Candidate], query: ParsedQuery) -> bool:
    """Say whether some candidate matches every word as typed and spells a title or an artist."""
    words, typed = _words(query, {}), "".join(query.tokens)
    for candidate in candidates:
        weakest, _, bonus = _score(candidate, words, typed)
        if weakest == EXACT and bonus > 0:
            return True
    return False


def _completion_bonus(
    song_title: str,
    title: list[str],
    artists: list[str],
    covered: Mapping[str, set[str]],
    matched_by: Mapping[str, set[int]],
) -> float:
    """Reward a query that spells out the whole title, or a whole credited artist name.

    Words count once: when every word that matched the artist also matched the title (a song
    named like its artist, or an artist named like a famous song), the query spelled one name,
    not two, and earns the title's bonus alone, so prominence decides between such a track and
    the best-known song of that title.
    """
    spelled_title = bool(title) and (
        set(title) <= covered["title"] or _spells(song_title, covered["title"], title)
    )
    names = " ".join(artists).split(" , ")
    spelled_artist = any(name and set(name.split()) <= covered["artists"] for name in names)
    one_name = spelled_title and matched_by["artists"] <= matched_by["title"]
    bonus = 0.0
    if spelled_title:
        bonus += TITLE_BONUS
    if spelled_artist and not one_name:
        bonus += ARTIST_BONUS
    return bonus


def _spells(song_title: str, covered: set[str], title: list[str]) -> bool:
    """Say whether the covered title words are the whole song title (version suffix aside)."""
    kept = "".join(token for token in title if token in covered)
    return bool(song_title) and kept == song_title


def rank(
    candidates: Sequence[Candidate],
    query: ParsedQuery,
    typos: Mapping[str, Sequence[str]],
) -> list[Candidate]:
    """Order candidates: every word exact > some prefix > some typo, then relevance, prominence."""
    if not query.tokens:
        return sorted(candidates, key=lambda c: (-c.prominence, c.track_id))
    words, typed = _words(query, typos), "".join(query.tokens)
    return sorted(candidates, key=lambda c: _sort_key(c, words, typed))


def group_versions(ranked: Sequence[Candidate]) -> list[Candidate]:
    """Keep the versions of one song together where the best one ranks, the original first."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in ranked:
        groups.setdefault(candidate.song_key or f"#{candidate.track_id}", []).append(candidate)
    ordered: list[Candidate] = []
    for members in groups.values():
        original = min(
            members,
            key=lambda c: (not c.is_original, c.release_year or 9999, -c.prominence, c.track_id),
        )
        ordered.append(original)
        ordered.extend(member for member in members if member is not original)
    return ordered


def drop_identical(ordered: Sequence[Candidate]) -> list[Candidate]:
    """Keep the first of several releases that look the same (same artists and title)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for candidate in ordered:
        key = (candidate.artists, candidate.normalised_title)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept
