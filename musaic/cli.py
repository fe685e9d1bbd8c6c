"""The `musaic` command line: serve, db, and one command group per feature."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from musaic import create_app
from musaic.commands import db as db_commands
from musaic.commands.catalog import catalog_group
from musaic.commands.eval import eval_group
from musaic.commands.export import export_command
from musaic.commands.generate import generate_command
from musaic.commands.index import index_group
from musaic.commands.tokens import tokens_group


def _make_app() -> object:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False)
def cli() -> None:
    """Musaic: playlists from one seed track."""


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve Musaic with the threaded development server (use gunicorn in production)."""
    from flask import current_app
    from werkzeug.serving import run_simple

    from musaic.runtime import settle_heap

    settle_heap()
    click.echo(f"Musaic is serving on http://{host}:{port} (Ctrl+C to stop)")
    # Not app.run(): Flask ignores it inside a Flask CLI command.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


cli.add_command(index_group)
cli.add_command(catalog_group)
cli.add_command(eval_group)
cli.add_command(tokens_group)
cli.add_command(generate_command)
cli.add_command(export_command)
db_commands.register()


def main() -> None:
    """Run the `musaic` console script."""
    cli(prog_name="musaic")


if __name__ == "__main__":  # `python -m musaic.cli`, as a background training runs
    main()
