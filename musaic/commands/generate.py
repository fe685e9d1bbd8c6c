"""`musaic generate SEED`: make a playlist from the command line (nothing is saved)."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from musaic.errors import MusaicError
from musaic.matching.postprocess import Options
from musaic.matching.registry import DEFAULT_MATCHER, MATCHERS
from musaic.services.listener import Listener
from musaic.services.playlists import GeneratedPlaylist, GenerateRequest, build_playlist

USAGE_ERROR = 2


def _rows(generated: GeneratedPlaylist) -> list[dict[str, Any]]:
    rows = []
    for position, item in enumerate(generated.items):
        info = generated.tracks[item.track_id]
        rows.append(
            {
                "position": position,
                "track_id": item.track_id,
                "title": info.title,
                "artists": list(info.artist_names),
                "year": info.release_year,
                "score": round(item.score, 4),
                "reasons": item.reasons,
            }
        )
    return rows


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'#':>3}  {'track':<44} {'artists':<28} {'year':<4}  {'score':>6}  why"]
    for row in rows:
        why = "; ".join(r["text"] for r in row["reasons"])
        lines.append(
            f"{row['position']:>3}  {row['title'][:44]:<44} {', '.join(row['artists'])[:28]:<28} "
            f"{row['year'] or '':<4}  {row['score']:>6.3f}  {why}"
        )
    return "\n".join(lines)


@click.command("generate")
@click.argument("seed")
@click.option("--length", default=30, show_default=True, type=click.IntRange(5, 100))
@click.option(
    "--matcher", default=DEFAULT_MATCHER, show_default=True, type=click.Choice(sorted(MATCHERS))
)
@click.option("--seed-value", "random_seed", type=int, help="Make the result reproducible.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def generate_command(
    seed: str, length: int, matcher: str, random_seed: int | None, as_json: bool
) -> None:
    """Print a playlist grown from SEED (catalog id, Spotify id, URI or URL)."""
    request = GenerateRequest(
        seed=seed, length=length, matcher=matcher, options=Options(seed=random_seed)
    )
    try:
        generated = build_playlist(request, Listener())
    except MusaicError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        raise SystemExit(USAGE_ERROR) from exc
    rows = _rows(generated)
    if as_json:
        body = {"seed_track_id": generated.seed.track_id, "matcher": matcher, "items": rows}
        click.echo(json.dumps({**body, "notes": generated.notes}, indent=2))
        return
    click.echo(_table(rows))
    for note in generated.notes:
        click.echo(f"Note: {note}")
