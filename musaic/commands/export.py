"""`musaic export PLAYLIST_ID --format m3u8|csv|jspf [-o FILE]`: write a playlist file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from musaic.errors import MusaicError
from musaic.services.export_files import FORMATS, any_playlist_file

USAGE_ERROR = 2


@click.command("export")
@click.argument("playlist_id", type=click.IntRange(min=1))
@click.option(
    "--format", "file_format", type=click.Choice(sorted(FORMATS)), default="m3u8", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write here (default: standard output).",
)
@with_appcontext
def export_command(playlist_id: int, file_format: str, output: Path | None) -> None:
    """Write playlist PLAYLIST_ID as an M3U8, Exportify CSV or JSPF file."""
    try:
        rendered = any_playlist_file(playlist_id, file_format)
    except MusaicError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        raise SystemExit(USAGE_ERROR) from exc
    if output is None:
        sys.stdout.buffer.write(rendered.content)
        sys.stdout.flush()
        return
    partial = output.with_name(output.name + ".part")
    partial.write_bytes(rendered.content)
    partial.replace(output)  # never leave a half-written file behind
    click.echo(f"Wrote {output} ({len(rendered.content)} bytes)", err=True)
