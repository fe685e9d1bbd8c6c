"""Normalise titles and artist names so one song from two sources becomes one key."""

from __future__ import annotations

import re
import unicodedata

_FEATURING = re.compile(r"\s*[\(\[]?\s*(?:feat\.?|ft\.?|featuring|with)\s+[^\)\]]*[\)\]]?", re.I)
_VERSION_WORDS = (
    r"remaster(?:ed)?|live|radio edit|edit|remix|mix|version|mono|stereo|acoustic|demo|"
    r"extended|original|single|album|deluxe|instrumental|re-?recorded|bonus|explicit|clean|"
    r"from|soundtrack|anniversary|recorded|session|take|\d{4}"
)
# " - 2011 Remaster", " - Live at Wembley", " (Radio Edit)", " [Remix]"
_DASH_SUFFIX = re.compile(rf"\s+-\s+.*\b(?:{_VERSION_WORDS})\b.*$", re.I)
_BRACKET_SUFFIX = re.compile(rf"\s*[\(\[][^\)\]]*\b(?:{_VERSION_WORDS})\b[^\)\]]*[\)\]]", re.I)
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
# "&" and "/" are left alone: "Simon & Garfunkel" and "AC/DC" are one artist each.
CREDIT_SEPARATORS = re.compile(r"\s*(?:,(?!\s*the\b)|\bfeat\.|\bft\.|\bfeaturing\b)\s*", re.I)
_FEATURED_IN_TITLE = re.compile(
    r"[\(\[]\s*(?:feat\.?|ft\.?|featuring|with)\s+([^\)\]]+)[\)\]]", re.I
)


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, and collapse whitespace."""
    if text.isascii():  # NFKD leaves ASCII as it is: skip the walk over every character
        ascii_ish = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        ascii_ish = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = _NON_WORD.sub(" ", ascii_ish.casefold().replace("&", " and "))
    return _SPACES.sub(" ", cleaned).strip()


def normalise_artist(name: str) -> str:
    """Return the comparable form of an artist name ("The Beatles" == "beatles")."""
    folded = fold(name)
    return folded[4:] if folded.startswith("the ") and len(folded) > 4 else folded


def normalise_title(title: str) -> str:
    """Return the comparable form of a title, keeping version words (a remix stays a remix)."""
    return fold(_FEATURING.sub("", title)) or fold(title)


def base_title(title: str) -> str:
    """Return the title without featured artists and version suffixes (the song, not the take)."""
    without_feat = _FEATURING.sub("", title)
    stripped = _BRACKET_SUFFIX.sub("", _DASH_SUFFIX.sub("", without_feat))
    return fold(stripped) or normalise_title(title)


def match_key(primary_artist: str, title: str) -> str:
    """Key that identifies one recording across sources lacking ids (artist + full title)."""
    return f"{normalise_artist(primary_artist)}|{normalise_title(title)}"


def song_key(primary_artist: str, title: str) -> str:
    """Key shared by every version of one song (remaster, live, radio edit, remix)."""
    return f"{normalise_artist(primary_artist)}|{base_title(title)}"


# A title that holds none of these words has no featuring part for _FEATURING to remove.
_FEATURING_WORD = re.compile(r"feat|ft|with", re.I)


def title_keys(primary_artist: str, title: str) -> tuple[str, str, str]:
    """Return (normalise_title, match_key, song_key) of one track, each piece folded once.

    The suffix patterns need a "-" or a bracket, the featuring one a word of its own: a title
    without them (most) is left as it is instead of being searched three times.
    """
    artist = normalise_artist(primary_artist)
    without_feat = _FEATURING.sub("", title) if _FEATURING_WORD.search(title) else title
    normalised = fold(without_feat) or fold(title)
    stripped = _DASH_SUFFIX.sub("", without_feat) if "-" in without_feat else without_feat
    if "(" in stripped or "[" in stripped:
        stripped = _BRACKET_SUFFIX.sub("", stripped)
    # Nothing stripped: fold(stripped) is `normalised`, or empty and then replaced by it.
    base = normalised if stripped == without_feat else fold(stripped) or normalised
    return normalised, f"{artist}|{normalised}", f"{artist}|{base}"


def split_credit(credit: str) -> list[str]:
    """Split a credit string such as "Daft Punk, Pharrell Williams" into artist names."""
    names = [part.strip() for part in CREDIT_SEPARATORS.split(credit) if part and part.strip()]
    seen: set[str] = set()
    unique = []
    for name in names:
        key = normalise_artist(name)
        if key and key not in seen:
            seen.add(key)
            unique.append(name)
    return unique or [credit.strip()]


def featured_artists(title: str) -> list[str]:
    """Return the artists a title credits as featured: "Song (feat. A & B)" -> ["A", "B"]."""
    match = _FEATURED_IN_TITLE.search(title)
    if not match:
        return []
    return [n.strip() for n in re.split(r",|&|\band\b", match.group(1)) if n.strip()]
