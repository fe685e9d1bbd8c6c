"""A seeded generator of search benchmark queries drawn from the catalog, eight kinds of them.

Every query comes from one catalog track drawn uniformly (seeded). Title queries use the song
title (the title without version suffix or featured artists, words folded as the search index
folds them, so "Don't" is "dont") of 1 to 6 words, and expect the most prominent song with
that title: a listener typing a bare title means the song most people mean. Kinds:

- exact: the song title as stored (folded).
- prefix: the title typed up to the first point (at least 60 % of it) where no other song
  title in the catalog begins the same way.
- typo1: one edit (drop, double, swap with the next letter, or replace) in a word of 5+ letters.
- typo2: one edit in each of two words of 4+ letters (or two in a word of 8+ letters).
- short: one edit in a word of 3-4 letters, in a title of 3+ words.
- space: the space between two words left out.
- diacritics: a title with accented letters, typed without them.
- artist: the first credited artist's name; found when a top-3 track credits that artist.
- title_artist: song title plus first artist name; expects that track's own song.
"""

from __future__ import annotations

import bisect
import random
import re
import string
import unicodedata
from dataclasses import dataclass

from sqlalchemy import text

from musaic.catalog.normalise import fold, normalise_artist
from musaic.catalog.search.documents import prominence
from musaic.catalog.search.query import tokenize
from musaic.extensions import db

KINDS = (
    "exact",
    "prefix",
    "typo1",
    "typo2",
    "short",
    "space",
    "diacritics",
    "artist",
    "title_artist",
)
PER_KIND = 50
SEED = 2026
MAX_WORDS = 6


@dataclass(frozen=True)
class BenchQuery:
    """One benchmark query: its kind, the text typed, and what counts as found."""

    kind: str
    q: str
    song_key: str = ""  # found when a top-3 result has this song key
    artist: str = ""  # found when a top-3 result credits this normalised artist name


@dataclass(frozen=True)
class _Row:
    song_key: str
    title: str
    artist: str
    weight: float


def _edit(word: str, chooser: random.Random) -> str:
    """Return `word` with one typing mistake: a letter dropped, doubled, swapped or replaced."""
    at = chooser.randrange(len(word))
    kind = chooser.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "swap" and at < len(word) - 1 and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    other = chooser.choice([c for c in string.ascii_lowercase if c != word[at]])
    return word[:at] + other + word[at + 1 :]


def _strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _typos(words: list[str], kind: str, chooser: random.Random) -> list[str] | None:
    """Return the words with this kind's mistakes, or None when the title has no room for them."""
    out = list(words)
    if kind == "typo1":
        spots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        picks = [chooser.choice(spots)] if spots else []
    elif kind == "short":
        spots = [i for i, w in enumerate(words) if 3 <= len(w) <= 4 and w.isalpha()]
        picks = [chooser.choice(spots)] if len(words) >= 3 and spots else []
    else:
        spots = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        longs = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
        picks = chooser.sample(spots, 2) if len(spots) >= 2 else [longs[0]] * 2 if longs else []
    if not picks:
        return None
    for i in picks:
        out[i] = _edit(out[i], chooser)
    return out


def _song_title(title: str, base: str) -> str:
    """The title as a listener types it: no version suffix or featured artists, words folded."""
    cut = re.split(r" - | ?[\(\[]", title, maxsplit=1)[0]
    return " ".join(tokenize(cut)) if fold(cut) == base else ""


def _load() -> tuple[list[_Row], dict[str, str], dict[str, str]]:
    """Catalog rows, the most prominent song key per song title, and each track's raw title."""
    rows: list[_Row] = []
    raw: dict[str, str] = {}
    best: dict[str, tuple[float, str]] = {}
    result = db.session.execute(
        text(
            "SELECT t.song_key, t.title, t.popularity, t.playlist_count, a.name FROM tracks t"
            " JOIN track_artists ta ON ta.track_id = t.id AND ta.position = 0"
            " JOIN artists a ON a.id = ta.artist_id ORDER BY t.id"
        )
    )
    for song_key, title, popularity, playlists, artist in result:
        song_title = _song_title(title, song_key.partition("|")[2])
        weight = prominence(popularity, playlists)
        rows.append(_Row(song_key, song_title, artist, weight))
        raw.setdefault(song_key, title)
        if song_title and (song_title not in best or weight > best[song_title][0]):
            best[song_title] = (weight, song_key)
    return rows, {title: key for title, (_, key) in best.items()}, raw


def _prefix(title: str, titles: list[str]) -> str | None:
    """The title typed until no other title starts the same way (at least 60 % of it)."""
    for length in range(max(3, -(-len(title) * 3 // 5)), len(title)):
        typed = title[:length]
        at = bisect.bisect_left(titles, typed)
        later = titles[at + 1] if at + 1 < len(titles) else ""
        if not typed.endswith(" ") and titles[at] == title and not later.startswith(typed):
            return typed
    return None


def _one(
    kind: str,
    row: _Row,
    ctx: tuple[dict[str, str], dict[str, str], list[str]],
    chooser: random.Random,
) -> BenchQuery | None:
    best, raw, titles = ctx
    words = row.title.split()
    if kind == "artist":
        return BenchQuery(kind, row.artist, artist=normalise_artist(row.artist))
    if kind == "title_artist":
        return BenchQuery(kind, f"{row.title} {row.artist}", song_key=row.song_key)
    target = best.get(row.title, "")
    if kind == "exact":
        return BenchQuery(kind, row.title, target)
    if kind == "prefix":
        typed = _prefix(row.title, titles)
        return BenchQuery(kind, typed, target) if typed else None
    if kind == "space":
        if len(words) < 2:
            return None
        at = chooser.randrange(len(words) - 1)
        joined = [*words[:at], words[at] + words[at + 1], *words[at + 2 :]]
        return BenchQuery(kind, " ".join(joined), target)
    if kind == "diacritics":
        typed = _strip_accents(raw[row.song_key])
        return BenchQuery(kind, typed, target) if typed != raw[row.song_key].lower() else None
    mistyped = _typos(words, kind, chooser)
    return BenchQuery(kind, " ".join(mistyped), target) if mistyped else None


def build_queries(seed: int = SEED, per_kind: int = PER_KIND) -> list[BenchQuery]:
    """Return `per_kind` queries of every kind, drawn from the catalog with a fixed seed."""
    chooser = random.Random(seed)
    rows, best, raw = _load()
    usable = [r for r in rows if r.title and len(r.title.split()) <= MAX_WORDS]
    accented = [
        r
        for r in usable
        if " ".join(tokenize(raw[r.song_key])) == r.title
        and _strip_accents(raw[r.song_key]) != raw[r.song_key].lower()
    ]
    ctx = (best, raw, sorted(best))
    queries: list[BenchQuery] = []
    for kind in KINDS:
        pool = accented if kind == "diacritics" else usable
        made: list[BenchQuery] = []
        while len(made) < per_kind:
            query = _one(kind, chooser.choice(pool), ctx, chooser)
            if query and query.q.strip() and query not in made:
                made.append(query)
        queries.extend(made)
    return queries
