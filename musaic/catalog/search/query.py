"""Parse a search box string into words and field filters (artist:, year:)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from musaic.catalog.normalise import fold, normalise_artist

MAX_QUERY_LENGTH = 200
_FILTER = re.compile(r'\b(artist|year):\s*(?:"([^"]*)"?|(\S+))', re.I)
_YEAR_RANGE = re.compile(r"^(\d{4})(?:\s*(?:-|\.\.)\s*(\d{4}))?$")
_TOKEN = re.compile(r"[^\W_]+")
# An apostrophe inside a word joins it ("don't" == "dont"); elsewhere it is punctuation.
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u02bc`\u00b4](?=\w)")
# Spellings of one word, stored and searched as the first form.
SYNONYMS = {"ft": "feat", "featuring": "feat", "versus": "vs"}


class QuerySyntaxError(ValueError):
    """A field filter in the query has a value Musaic cannot read."""


@dataclass(frozen=True)
class ParsedQuery:
    """The words to match plus the filters every result must pass."""

    tokens: tuple[str, ...]
    artist: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    ends_with_space: bool = False
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def prefix_last(self) -> bool:
        """Say whether the last word is still being typed (search-as-you-type)."""
        return bool(self.tokens) and not self.ends_with_space

    @property
    def is_empty(self) -> bool:
        """Say whether the query has neither words nor filters."""
        return not self.tokens and self.artist is None and self.year_from is None


def tokenize(text: str) -> list[str]:
    """Split text into the folded words the search index stores."""
    words = _TOKEN.findall(fold(_INNER_APOSTROPHE.sub("", text)))
    return [SYNONYMS.get(word, word) for word in words]


def _parse_years(value: str) -> tuple[int, int]:
    match = _YEAR_RANGE.match(value.strip())
    if not match:
        raise QuerySyntaxError(f"year must be YYYY or YYYY-YYYY, got {value!r}")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if high < low:
        raise QuerySyntaxError(f"year range {value!r} ends before it starts")
    return low, high


def parse_query(text: str) -> ParsedQuery:
    """Parse `text`: free words, `artist:"Name"`, `year:1999` or `year:1990-1999`."""
    artist: str | None = None
    years: tuple[int, int] | None = None
    filters: dict[str, str] = {}
    for match in _FILTER.finditer(text):
        name = match.group(1).lower()
        value = (match.group(2) if match.group(2) is not None else match.group(3)).strip()
        filters[name] = value
        if name == "artist":
            artist = normalise_artist(value)
            if not artist:
                raise QuerySyntaxError('artist filter needs a name, e.g. artist:"Daft Punk"')
        else:
            years = _parse_years(value)
    rest = _FILTER.sub(" ", text)
    return ParsedQuery(
        tokens=tuple(tokenize(rest)),
        artist=artist,
        year_from=years[0] if years else None,
        year_to=years[1] if years else None,
        ends_with_space=rest != rest.rstrip() or not rest.strip(),
        filters=filters,
    )
