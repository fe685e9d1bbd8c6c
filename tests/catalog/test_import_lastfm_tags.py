"""Last.fm HetRec tags: listeners' tags per artist, weighted, joined to the catalog by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from musaic.catalog.importers import detect_format, lastfm_tags
from musaic.catalog.importers.records import ArtistTagsRecord, ImportFormatError, SkippedRecord
from musaic.cli import cli
from musaic.extensions import db
from musaic.models import Artist, ArtistTag, Tag

FIXTURES = Path(__file__).parent.parent / "fixtures" / "catalog"
ARTISTS = "id\tname\turl\tpictureURL\n1\tThe Testers\thttp://x\thttp://y\n2\tNobody Here\t\t\n"
TAGS = "tagID\ttagValue\n10\tSynthwave\n11\tseen live\n12\tMot\xf6rhead-ish\n"  # Latin-1
ASSIGNED = (
    "userID\tartistID\ttagID\tday\tmonth\tyear\r\n"
    "5\t1\t10\t1\t4\t2009\r\n"
    "6\t1\t10\t1\t4\t2009\r\n"
    "7\t1\t10\t1\t4\t2009\r\n"
    "5\t1\t12\t1\t4\t2009\r\n"
    "6\t1\t12\t1\t4\t2009\r\n"
    "5\t1\t11\t1\t4\t2009\r\n"  # one listener only: left out
    "5\t2\t10\t1\t4\t2009\r\n"
    "6\t2\t10\t1\t4\t2009\r\n"
    "5\t99\t10\t1\t4\t2009\r\n"  # not in artists.dat
    "5\t1\t77\t1\t4\t2009\r\n"  # not in tags.dat
)


def _folder(tmp_path: Path, assigned: str = ASSIGNED) -> Path:
    (tmp_path / "artists.dat").write_text(ARTISTS, encoding="utf-8")
    (tmp_path / "tags.dat").write_bytes(TAGS.encode("latin-1"))
    path = tmp_path / "user_taggedartists.dat"
    path.write_text(assigned, encoding="utf-8", newline="")
    return path


def test_tags_are_weighted_by_listeners_over_the_artists_most_given(tmp_path: Path) -> None:
    path = _folder(tmp_path)
    assert detect_format(path).name == "lastfm-tags"
    items = list(lastfm_tags.read(path))
    records = {i.artist: i.tags for i in items if isinstance(i, ArtistTagsRecord)}
    assert records == {
        "The Testers": {"synthwave": 1.0, "motörhead-ish": 0.6667},
        "Nobody Here": {"synthwave": 1.0},
    }
    skipped = {s.location: s.reason for s in items if isinstance(s, SkippedRecord)}
    assert skipped == {
        "line 10 (artistID 99)": "artist not in artists.dat",
        "line 11 (tagID 77)": "no usable tag in tags.dat",
    }


def test_missing_or_wrong_dictionaries_are_refused_by_name(tmp_path: Path) -> None:
    path = _folder(tmp_path)
    (tmp_path / "tags.dat").unlink()
    with pytest.raises(ImportFormatError, match=r"tags\.dat: cannot read it"):
        list(lastfm_tags.read(path))
    (tmp_path / "tags.dat").write_text("id,value\n1,x\n")
    with pytest.raises(ImportFormatError, match=r"tags\.dat: expected a header"):
        list(lastfm_tags.read(path))
    wrong = tmp_path / "user_artists.dat"
    wrong.write_text("userID\tartistID\tweight\n2\t51\t13883\n")
    with pytest.raises(ImportFormatError, match=r"not a Last\.fm user_taggedartists\.dat"):
        list(lastfm_tags.read(wrong))


def test_import_tags_the_catalogs_artist_and_keeps_other_sources_weights(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    songs = runner.invoke(cli, ["catalog", "import", str(FIXTURES / "tidytuesday_small.csv")])
    assert songs.exit_code == 0, songs.output
    result = runner.invoke(cli, ["catalog", "import", str(_folder(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "(lastfm-tags)" in result.output
    assert "Note: 1 artists are not in the catalog" in result.output
    assert "1 x artist not in artists.dat" in result.output
    with app.app_context():
        rows = db.session.execute(
            select(Tag.name, ArtistTag.weight, ArtistTag.source)
            .join(ArtistTag, ArtistTag.tag_id == Tag.id)
            .join(Artist, Artist.id == ArtistTag.artist_id)
            .where(Artist.name == "The Testers")
        ).all()
        nobody = db.session.scalar(select(Artist.id).where(Artist.name == "Nobody Here"))
        db.session.remove()
    tags = {name: (weight, source) for name, weight, source in rows}
    assert tags["synthwave"] == (1.0, "lastfm-tags")
    assert tags["motörhead-ish"] == (pytest.approx(0.6667), "lastfm-tags")
    assert tags["pop"][1] == "tidytuesday"
    assert nobody is None
