"""Importing a folder: the same catalog as its files one by one, whatever fails half-way."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from musaic.catalog.search import rebuild_index
from musaic.extensions import db
from musaic.models import Track
from musaic.services.catalog_folder import import_folder


def _uri(number: int) -> str:
    return f"spotify:track:{number:022d}"


def _playlist(pid: int, tracks: list[int]) -> dict[str, Any]:
    items = [
        {"pos": i, "track_uri": _uri(t), "track_name": f"Song {t}", "artist_name": f"Band {t % 7}"}
        for i, t in enumerate(tracks)
    ]
    return {"pid": pid, "name": f"Mix {pid}", "tracks": items}


def _write(path: Path, playlists: list[dict[str, Any]], cut: int | None = None) -> None:
    body = json.dumps({"info": {}, "playlists": playlists})
    path.write_text(body if cut is None else body[:cut])


def _search_rows() -> dict[str, Any]:
    rows = db.session.execute(
        text(
            "SELECT t.spotify_id, s.prominence FROM track_search AS s"
            " JOIN tracks AS t ON t.id = s.track_id"
        )
    )
    return {spotify_id: round(float(prominence), 6) for spotify_id, prominence in rows}


def test_a_folder_gives_the_catalog_its_good_files_give_even_after_a_rolled_back_one(
    app_context: None, tmp_path: Path
) -> None:
    folder = tmp_path / "slices"
    folder.mkdir()
    first = [_playlist(p, list(range(p, p + 30))) for p in range(10)]
    # 6,000 new tracks (more than one write batch, so rows are written before the file fails)
    broken = [_playlist(100 + p, list(range(1000 + 100 * p, 1100 + 100 * p))) for p in range(60)]
    # the last file reuses tracks of the first and of the broken one
    last = [_playlist(200 + p, [*range(p, p + 10), *range(1000 + p, 1010 + p)]) for p in range(5)]
    _write(folder / "mpd.slice.0-999.json", first)
    body = json.dumps({"playlists": broken})
    _write(folder / "mpd.slice.1000-1999.json", broken, cut=len(body) - 3)
    _write(folder / "mpd.slice.2000-2999.json", last)

    result = import_folder(folder)

    assert [Path(s.path).name for s in result.summaries] == [
        "mpd.slice.0-999.json",
        "mpd.slice.2000-2999.json",
    ]
    assert [path.name for path, _ in result.refused] == ["mpd.slice.1000-1999.json"]
    expected = Counter(
        _uri(t) for p in first + last for t in {int(x["track_uri"][-22:]) for x in p["tracks"]}
    )
    counts = dict(db.session.execute(select(Track.spotify_id, Track.playlist_count)).all())
    assert counts == {uri.rsplit(":", 1)[1]: n for uri, n in expected.items()}
    searched = _search_rows()
    assert len(searched) == len(counts)
    rebuild_index()  # every document from scratch: the folder's deferred refresh must match it
    assert _search_rows() == searched
