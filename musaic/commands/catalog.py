"""`musaic catalog import|fetch|stats|demo`: fill and inspect the local catalog."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from musaic.catalog.fetch import DATASETS
from musaic.catalog.importers import FORMATS
from musaic.catalog.importers.files import Progress
from musaic.errors import MusaicError, UpstreamError
from musaic.services import catalog as service
from musaic.services import catalog_folder as folder_service

SHOWN_SKIPS = 20


@click.group("catalog")
def catalog_group() -> None:
    """Import, fetch and count the local catalog."""


def _bar(path: Path, description: str) -> tqdm:
    """Return a byte progress bar on stderr, silent when stderr is not a terminal."""
    size = path.stat().st_size if path.exists() else None
    return tqdm(
        total=size,
        unit="B",
        unit_scale=True,
        desc=description,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
    )


@contextmanager
def _failures_exit() -> Iterator[None]:
    """Print a MusaicError as one line and exit 2 (bad input) or 1 (a service failed)."""
    try:
        yield
    except MusaicError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1 if isinstance(exc, UpstreamError) else 2)


def _echo_summary(summary: service.ImportSummary, tallies: bool = True) -> None:
    click.echo(
        f"Imported {summary.path} ({summary.format}) in {summary.seconds:.1f} s: "
        f"{summary.read} records read, {len(summary.skipped)} skipped"
    )
    for kind, tally in summary.tallies.items() if tallies else ():
        click.echo(
            f"  {kind}: {tally.created} created, {tally.updated} updated, "
            f"{tally.unchanged} unchanged"
        )
    for note in summary.notes:
        click.echo(f"Note: {note}")
    if summary.skipped:
        reasons = Counter(s.reason for s in summary.skipped)
        click.echo("Skipped records by reason:")
        for reason, count in reasons.most_common(SHOWN_SKIPS):
            click.echo(f"  {count} x {reason}")
        click.echo("Skipped records:")
        for skipped in summary.skipped[:SHOWN_SKIPS]:
            click.echo(f"  {skipped.location}: {skipped.reason}")
        if len(summary.skipped) > SHOWN_SKIPS:
            click.echo(f"  ... and {len(summary.skipped) - SHOWN_SKIPS} more")


def _echo_folder(folder: Path, result: folder_service.FolderSummary) -> None:
    """Print each imported file's line, notes and skips, then the folder's totals."""
    totals: dict[str, list[int]] = {}
    for summary in result.summaries:
        _echo_summary(summary, tallies=False)
        for kind, tally in summary.tallies.items():
            sums = totals.setdefault(kind, [0, 0, 0])
            for i, value in enumerate((tally.created, tally.updated, tally.unchanged)):
                sums[i] += value
    files = len(result.summaries) + len(result.refused) + len(result.unrecognised)
    click.echo(f"Imported {len(result.summaries)} of {files} files from {folder}:")
    for kind, (created, updated, unchanged) in totals.items():
        click.echo(f"  {kind}: {created} created, {updated} updated, {unchanged} unchanged")


@catalog_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="File format (auto: recognise it from the first bytes).",
)
@click.option("--strict", is_flag=True, help="Abort on the first bad record; write nothing.")
@click.option(
    "--history-key",
    default=None,
    help="Whose streaming history this is (default: a hash of the file's folder).",
)
@with_appcontext
def import_command(path: Path, format_name: str, strict: bool, history_key: str | None) -> None:
    """Import a TidyTuesday, MPD, Exportify or streaming-history file (plain or .gz), or a folder.

    A folder's files are imported one by one in name order (mpd.slice.0-999.json first), each
    in its own transaction; a file that cannot be imported is reported and the rest go on.
    """
    if path.is_dir():
        _import_folder(path, format_name, strict, history_key)
        return
    started = time.monotonic()
    with _failures_exit(), _bar(path, path.name) as bar:

        def rate(count: int) -> None:
            per_second = count / max(time.monotonic() - started, 1e-3)
            bar.set_postfix_str(f"{count:,} records, {per_second:,.0f} records/s", refresh=False)

        summary = service.import_file(
            path,
            format_name=format_name,
            strict=strict,
            history_key=history_key,
            progress=bar.update,
            records=rate,
        )
    _echo_summary(summary)


def _import_folder(folder: Path, format_name: str, strict: bool, history_key: str | None) -> None:
    """Import every file of `folder`, one bar per file; exit 2 when any file was refused."""
    bars: list[tqdm] = []

    def progress_for(path: Path, number: int, total: int) -> Progress:
        for bar in bars:
            bar.close()
        bars[:] = [_bar(path, f"[{number}/{total}] {path.name}")]
        return bars[0].update

    with _failures_exit():
        try:
            result = folder_service.import_folder(
                folder,
                strict=strict,
                progress_for=progress_for,
                format_name=format_name,
                history_key=history_key,
            )
        finally:
            for bar in bars:
                bar.close()
    _echo_folder(folder, result)
    if result.unrecognised:
        names = ", ".join(path.name for path in result.unrecognised)
        click.echo(f"Left alone, in no format Musaic reads: {names}")
    for _, reason in result.refused:
        click.echo(f"Refused {reason}", err=True)
    if result.refused:
        click.echo("Re-importing a file is safe: records already imported are left unchanged.")
    if result.refused or not result.summaries:
        sys.exit(2)


@catalog_group.command("fetch")
@click.argument("name", type=click.Choice(sorted(DATASETS)))
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to keep the download (default: <instance>/datasets).",
)
@click.option("--url", default=None, help="Download from this URL instead (a mirror).")
@with_appcontext
def fetch_command(name: str, dest: Path | None, url: str | None) -> None:
    """Download a known public dataset (size and sha256 checked, resumable), then import it."""
    dest_dir = dest or Path(current_app.instance_path) / "datasets"
    target = dest_dir / DATASETS[name].filename
    with _failures_exit(), _bar(target, f"download {name}") as download_bar:
        download_bar.total = DATASETS[name].size
        summary = service.fetch_dataset(
            name, dest_dir, url=url, download_progress=download_bar.update
        )
    _echo_summary(summary)


@catalog_group.command("stats")
@with_appcontext
def stats_command() -> None:
    """Print what the catalog holds."""
    for name, value in service.catalog_stats().items():
        click.echo(f"{name}: {value}")


@catalog_group.command("demo")
@with_appcontext
def demo_command() -> None:
    """Import the demo datasets from MUSAIC_DATA_DIR when the catalog is empty."""
    bars: list[tqdm] = []

    def progress_for(path: Path) -> Progress:
        click.echo(f"Importing {path} ...")
        bars.append(_bar(path, path.name))
        return bars[-1].update

    with _failures_exit():
        try:
            result = service.load_demo_catalog(
                current_app.config.get("MUSAIC_DATA_DIR"), progress_for
            )
        finally:
            for bar in bars:
                bar.close()
    for summary in result.summaries:
        _echo_summary(summary)
    click.echo(result.message)
