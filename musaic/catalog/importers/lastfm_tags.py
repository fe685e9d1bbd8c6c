"""Last.fm social tags: the HetRec 2011 `user_taggedartists.dat` with its two dictionaries.

The path is `user_taggedartists.dat` (tab-separated `userID artistID tagID day month year`);
`artists.dat` (`id name url pictureURL`) and `tags.dat` (`tagID tagValue`, Latin-1 in the
HetRec release) are read from the same folder. Each artist's tags are weighted by how many
listeners gave them, over the artist's most-given tag (1.0); a tag only one listener gave is left
out (one person's word), as are assignments naming an unknown artist or tag, which are skipped
with their line. Like `artist-genres`, rows join the catalog's artists by normalised name and
create no artist.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from musaic.catalog.importers.files import Progress, open_text, reading
from musaic.catalog.importers.records import (
    ArtistTagsRecord,
    ImportFormatError,
    ImportItem,
    SkippedRecord,
)

NAME = "lastfm-tags"
HEADER = ("userID", "artistID", "tagID")
MIN_LISTENERS = 2  # listeners who gave an artist a tag, for the tag to count
MAX_TAG = 200  # characters of one tag (the tag column's width)


def sniff(head: str) -> bool:
    """Say whether the first line is the header of `user_taggedartists.dat`."""
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return tuple(c.strip() for c in first.split("\t")[:3]) == HEADER


def _decoded(path: Path) -> str:
    """Return a dictionary file's text: UTF-8, else Latin-1 (HetRec's tags.dat)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        message = f"{path}: cannot read it next to user_taggedartists.dat ({exc.strerror or exc})"
        raise ImportFormatError(message) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _dictionary(path: Path, columns: tuple[str, str]) -> dict[str, str]:
    """Read an id -> value file (first two columns named `columns`, tab-separated)."""
    lines = _decoded(path).splitlines()
    header = tuple(c.strip() for c in (lines[0].split("\t") if lines else [])[:2])
    if header != columns:
        expected = "\t".join(columns)
        raise ImportFormatError(f"{path}: expected a header starting {expected!r}")
    found = {}
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0].strip() and fields[1].strip():
            found[fields[0].strip()] = fields[1].strip()
    return found


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportItem]:
    """Yield one ArtistTagsRecord per tagged artist (bad assignments as SkippedRecord)."""
    given: defaultdict[str, Counter[str]] = defaultdict(Counter)
    first_line: dict[str, str] = {}
    with reading(path), open_text(path, progress) as text:
        reader = csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = tuple(c.strip() for c in next(reader, [])[:3])
        if header != HEADER:
            raise ImportFormatError(
                f"{path}: not a Last.fm user_taggedartists.dat file (expected a header starting "
                f"{chr(9).join(HEADER)!r})"
            )
        artists = _dictionary(path.with_name("artists.dat"), ("id", "name"))
        tags = _dictionary(path.with_name("tags.dat"), ("tagID", "tagValue"))
        for row in reader:
            location = f"line {reader.line_num}"
            if len(row) < 3:
                yield SkippedRecord(location, f"{len(row)} fields, expected at least 3")
                continue
            artist_id, tag_id = row[1].strip(), row[2].strip()
            if artist_id not in artists:
                yield SkippedRecord(
                    f"{location} (artistID {artist_id})", "artist not in artists.dat"
                )
                continue
            tag = tags.get(tag_id, "").strip()
            if not tag or len(tag) > MAX_TAG:
                yield SkippedRecord(f"{location} (tagID {tag_id})", "no usable tag in tags.dat")
                continue
            given[artist_id][tag.lower()] += 1
            first_line.setdefault(artist_id, location)
    for artist_id, counts in given.items():
        kept = {t: n for t, n in counts.most_common() if n >= MIN_LISTENERS}
        if kept:
            most = max(kept.values())
            weights = {t: round(n / most, 4) for t, n in kept.items()}
            yield ArtistTagsRecord(artists[artist_id], weights, first_line[artist_id])
