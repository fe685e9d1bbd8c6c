"""Artist genres importer: genre lists join the catalog's artists by name, as artist tags."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from musaic.catalog.importers import artist_genres, detect_format
from musaic.catalog.importers.records import ArtistTagsRecord, ImportFormatError, SkippedRecord
from musaic.cli import cli
from musaic.extensions import db
from musaic.models import Artist, ArtistTag, Tag
from musaic.services.catalog import load_demo_catalog

FIXTURES = Path(__file__).parent.parent / "fixtures" / "catalog"
HEADER = "artists,acousticness,popularity,count,genres\n"
ROWS = (
    "The Testers,0.1,50,3,\"['dance pop', 'pop', 'synthwave']\"\n"
    '"""Quoted"" Band",0.2,40,2,[]\n'
    "Second Band,0.3,30,1,\"['pop', 'garage rock']\"\n"
    "Nobody Here,0.4,20,1,\"['polka']\"\n"
)


def _write(tmp_path: Path, rows: str = ROWS, header: str = HEADER) -> Path:
    path = tmp_path / "data_w_genres.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_rows_become_artist_tag_records_and_bad_cells_are_skipped_by_line(
    tmp_path: Path,
) -> None:
    bad = (
        "Broken,0,0,0,\"['pop'\"\n"
        "Code,0,0,0,__import__('os')\n"
        'Numbers,0,0,0,"[1, 2]"\n'
        ",0,0,0,[]\n"
    )
    path = _write(tmp_path, ROWS + bad)
    assert detect_format(path).name == "artist-genres"
    items = list(artist_genres.read(path))
    records = [i for i in items if isinstance(i, ArtistTagsRecord)]
    assert set(records[0].tags.values()) == {1.0}
    assert [(r.artist, list(r.tags)) for r in records] == [
        ("The Testers", ["dance pop", "pop", "synthwave"]),
        ('"Quoted" Band', []),
        ("Second Band", ["pop", "garage rock"]),
        ("Nobody Here", ["polka"]),
    ]
    skipped = {s.location: s.reason for s in items if isinstance(s, SkippedRecord)}
    assert set(skipped) == {"line 6", "line 7", "line 8", "line 9"}
    assert skipped["line 6"].startswith("genres: not a list literal")
    assert skipped["line 7"].startswith("genres: not a list literal")  # never evaluated
    assert skipped["line 8"].startswith("genres: not a list of strings")
    assert skipped["line 9"] == "artists: empty"


def test_other_csv_files_are_not_taken_for_genre_files(tmp_path: Path) -> None:
    assert detect_format(FIXTURES / "tidytuesday_small.csv").name == "tidytuesday"
    assert detect_format(FIXTURES / "exportify_current.csv").name == "exportify"
    wrong = _write(tmp_path, "x,1\n", header="artists,popularity\n")
    with pytest.raises(ImportFormatError, match="missing columns: genres"):
        list(artist_genres.read(wrong))


def _tags(app: Any) -> dict[str, dict[str, tuple[float, str]]]:
    """Return {artist name: {tag: (weight, source)}} and check nothing else was created."""
    with app.app_context():
        rows = db.session.execute(
            select(Artist.name, Tag.name, ArtistTag.weight, ArtistTag.source)
            .join(ArtistTag, ArtistTag.artist_id == Artist.id)
            .join(Tag, Tag.id == ArtistTag.tag_id)
        ).all()
        db.session.remove()
    found: dict[str, dict[str, tuple[float, str]]] = {}
    for artist, tag, weight, source in rows:
        found.setdefault(artist, {})[tag] = (weight, source)
    return found


def _artists(app: Any) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Artist)) or 0
        db.session.remove()
    return count


def test_import_tags_known_artists_only_and_never_weakens_another_source(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    songs = runner.invoke(cli, ["catalog", "import", str(FIXTURES / "tidytuesday_small.csv")])
    assert songs.exit_code == 0, songs.output
    before, artists = _tags(app), _artists(app)
    assert before["The Testers"]["pop"][0] == 2.0  # two of its rows are in a pop playlist
    result = runner.invoke(cli, ["catalog", "import", str(_write(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "(artist-genres)" in result.output
    assert "Note: 2 artists are not in the catalog" in result.output  # "Quoted" Band, Nobody
    after = _tags(app)
    assert _artists(app) == artists  # no artist made from a genre list
    assert after["The Testers"]["pop"] == before["The Testers"]["pop"]  # the higher weight kept
    assert after["The Testers"]["synthwave"] == (1.0, "artist-genres")
    assert after["Second Band"]["garage rock"] == (1.0, "artist-genres")
    assert "Nobody Here" not in after
    again = runner.invoke(cli, ["catalog", "import", str(_write(tmp_path))])
    assert "artist tags: 0 created, 0 updated" in again.output
    assert _tags(app) == after


def test_a_strict_import_with_a_bad_row_writes_no_tag(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(cli, ["catalog", "import", str(FIXTURES / "tidytuesday_small.csv")])
    before = _tags(app)
    path = _write(tmp_path, ROWS + "Broken,0,0,0,\"['pop'\"\n")
    result = runner.invoke(cli, ["catalog", "import", str(path), "--strict"])
    assert result.exit_code == 2
    assert "line 6: genres: not a list literal" in result.output
    assert _tags(app) == before


def test_the_demo_tags_its_artists_with_genres_when_the_file_is_there(
    app_context: None, tmp_path: Path
) -> None:
    songs = tmp_path / "tidytuesday_spotify_songs" / "spotify_songs.csv.gz"
    songs.parent.mkdir()
    songs.write_bytes(gzip.compress((FIXTURES / "tidytuesday_small.csv").read_bytes()))
    genres = tmp_path / "spotify_artist_genres_2020" / "data_w_genres.csv"
    genres.parent.mkdir()
    genres.write_text(HEADER + ROWS, encoding="utf-8")
    hetrec = tmp_path / "lastfm_hetrec2011_2k"
    hetrec.mkdir()
    (hetrec / "artists.dat").write_text("id\tname\turl\tpictureURL\n1\tThe Testers\t\t\n")
    (hetrec / "tags.dat").write_text("tagID\ttagValue\n7\tdarkwave\n")
    (hetrec / "user_taggedartists.dat").write_text(
        "userID\tartistID\ttagID\tday\tmonth\tyear\n2\t1\t7\t1\t1\t2009\n3\t1\t7\t1\t1\t2009\n"
    )
    result = load_demo_catalog(tmp_path)
    formats = [s.format for s in result.summaries]
    assert formats == ["tidytuesday", "artist-genres", "lastfm-tags"]
    assert "data_w_genres.csv" in result.message
    tagged = db.session.scalars(
        select(Tag.name)
        .join(ArtistTag, ArtistTag.tag_id == Tag.id)
        .join(Artist, Artist.id == ArtistTag.artist_id)
        .where(Artist.name == "The Testers")
    ).all()
    assert {"synthwave", "dance pop", "pop", "darkwave"} <= set(tagged)
