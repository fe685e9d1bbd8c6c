"""`musaic generate SEED` prints a playlist as a table or JSON, and exits 2 on a bad seed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from musaic.commands.generate import generate_command
from tests.catalog_world.standard import World, standard_world


@pytest.fixture
def world(app: Any) -> World:
    with app.app_context():
        return standard_world()


def test_generate_prints_a_table_of_tracks_and_reasons(
    runner: FlaskCliRunner, world: World
) -> None:
    result = runner.invoke(generate_command, [str(world.seed), "--length", "8"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:3] == ["#", "track", "artists"]
    assert "Song 0-0" in lines[1] and "the seed track" in lines[1]
    assert len(lines) == 1 + 8


def test_generate_json_is_valid_and_matches_the_options(
    runner: FlaskCliRunner, world: World
) -> None:
    args = [str(world.seed), "--length", "6", "--matcher", "artist", "--json"]
    result = runner.invoke(generate_command, args)
    body = json.loads(result.output)
    assert body["matcher"] == "artist"
    assert body["seed_track_id"] == world.seed
    assert len(body["items"]) == 6
    assert all(item["reasons"] for item in body["items"])


def test_generate_exits_2_with_a_message_for_an_unknown_seed(
    runner: FlaskCliRunner, world: World
) -> None:
    result = runner.invoke(generate_command, ["999999"])
    assert result.exit_code == 2
    assert "No track 999999" in result.output
