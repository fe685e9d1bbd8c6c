"""Playlist files: M3U8, Exportify CSV (round-trips through the importer) and JSPF (schema)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select, update

from musaic.cli import cli
from musaic.extensions import db
from musaic.models import Playlist, PlaylistTrack, Track
from musaic.services.export_files import EXPORTIFY_COLUMNS, PlaylistFile, safe_filename
from tests.catalog_world.standard import World, standard_world

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "jspf.schema.json"
NAME = "Café / Nights: ☕"


@pytest.fixture
def playlist(app: Any, client: FlaskClient) -> dict[str, Any]:
    """Generate a playlist anonymously, one of whose tracks has no Spotify id."""
    with app.app_context():
        world: World = standard_world()
    body = {"seed": world.seed, "length": 12, "name": NAME, "options": {"seed": 3}}
    created = client.post("/api/playlists", json=body).get_json()
    with app.app_context():
        db.session.execute(update(Track).values(duration_ms=180_000 + Track.id * 1_001))
        db.session.execute(
            update(Track)
            .where(Track.id == created["items"][2]["track"]["id"])
            .values(spotify_id=None)
        )
        db.session.commit()
    return client.get(f"/api/playlists/{created['id']}").get_json()  # type: ignore[no-any-return]


def _download(client: FlaskClient, playlist: dict[str, Any], extension: str) -> Any:
    response = client.get(f"/api/playlists/{playlist['id']}/export.{extension}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    return response


def test_m3u8_has_one_extinf_and_one_location_per_track(
    client: FlaskClient, playlist: dict[str, Any]
) -> None:
    response = _download(client, playlist, "m3u8")
    assert response.mimetype == "application/vnd.apple.mpegurl"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "#EXTM3U"
    infos = [i for i, line in enumerate(lines) if line.startswith("#EXTINF:")]
    assert len(infos) == len(playlist["items"])
    first = playlist["items"][0]["track"]
    seconds = round(first["duration_ms"] / 1000)
    artists = ", ".join(a["name"] for a in first["artists"])
    assert lines[infos[0]] == f"#EXTINF:{seconds},{artists} - {first['title']}"
    assert lines[infos[0] + 1] == f"https://open.spotify.com/track/{first['spotify_id']}"
    assert lines[infos[2] + 1].startswith("https://open.spotify.com/search/")


def test_csv_uses_exportify_columns_and_round_trips_through_the_importer(
    app: Any, client: FlaskClient, runner: FlaskCliRunner, playlist: dict[str, Any], tmp_path: Path
) -> None:
    response = _download(client, playlist, "csv")
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == EXPORTIFY_COLUMNS and len(rows) == 1 + len(playlist["items"])
    path = tmp_path / "round_trip.csv"
    path.write_bytes(response.get_data())
    result = runner.invoke(cli, ["catalog", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        imported = db.session.scalar(select(Playlist).where(Playlist.external_id == "round_trip"))
        assert imported is not None
        track_ids = db.session.scalars(
            select(PlaylistTrack.track_id)
            .where(PlaylistTrack.playlist_id == imported.id)
            .order_by(PlaylistTrack.position)
        ).all()
    assert list(track_ids) == [item["track"]["id"] for item in playlist["items"]]


def test_jspf_validates_against_the_jspf_schema_and_carries_the_reasons(
    client: FlaskClient, playlist: dict[str, Any]
) -> None:
    response = _download(client, playlist, "jspf")
    assert response.mimetype == "application/json"
    document = json.loads(response.get_data(as_text=True))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(document)
    tracks = document["playlist"]["track"]
    assert document["playlist"]["title"] == NAME and len(tracks) == len(playlist["items"])
    first = playlist["items"][1]
    assert tracks[1]["duration"] == first["track"]["duration_ms"]
    assert tracks[1]["identifier"] == [first["track"]["spotify_url"]]
    assert tracks[1]["annotation"] == "; ".join(r["text"] for r in first["reasons"])
    assert "identifier" not in tracks[2]


def test_the_schema_rejects_what_jspf_forbids() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    assert not validator.is_valid({"playlist": {"track": [{"duration": "3 min"}]}})
    assert not validator.is_valid({"playlist": {"track": [{"identifier": "not a list"}]}})
    assert validator.is_valid({"playlist": {"track": []}})


def test_the_file_name_is_safe_and_non_ascii_names_use_filename_star(
    client: FlaskClient, playlist: dict[str, Any]
) -> None:
    header = _download(client, playlist, "csv").headers["Content-Disposition"]
    assert 'filename="Cafe Nights .csv"' in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Café Nights ☕.csv" and "/" not in unquote(encoded)
    assert safe_filename("../../etc/passwd\x00", "m3u8") == "etc passwd.m3u8"
    assert safe_filename("   ", "csv") == "playlist.csv"
    plain = PlaylistFile(b"", "text/csv", "Mix.csv").content_disposition
    assert plain == 'attachment; filename="Mix.csv"'


def test_files_are_404_for_other_sessions_and_unknown_formats_are_rejected(
    app: Any, client: FlaskClient, playlist: dict[str, Any]
) -> None:
    stranger = app.test_client()
    assert stranger.get(f"/api/playlists/{playlist['id']}/export.csv").status_code == 404
    assert client.get(f"/api/playlists/{playlist['id']}/export.xspf").status_code in (400, 404)


def test_the_cli_writes_the_same_file(
    client: FlaskClient, runner: FlaskCliRunner, playlist: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "mix.jspf"
    result = runner.invoke(cli, ["export", str(playlist["id"]), "--format", "jspf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == _download(client, playlist, "jspf").get_data()
    missing = runner.invoke(cli, ["export", "999999", "--format", "csv"])
    assert missing.exit_code == 2 and "No playlist 999999" in missing.output
