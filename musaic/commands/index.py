"""`musaic index build|status`: the similarity index from the command line."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask.cli import with_appcontext

from musaic.indexing.tables import COOC_METHODS, DEFAULT_METHOD
from musaic.services.catalog import catalog_stats
from musaic.services.index import (
    BuildOptions,
    build_index,
    index_status,
    repair_interrupted_builds,
)


@click.group("index")
def index_group() -> None:
    """Build and inspect the similarity index."""


def _nothing_to_build() -> str:
    """Say why `--if-missing` has nothing to do, or return "" when a build is needed."""
    if index_status()["active"] is not None:
        return "The similarity index is already built (musaic index build rebuilds it)."
    stats = catalog_stats()
    if stats["imported playlists"] == 0 and stats["listening events"] == 0:
        return "The catalog has no playlists or listening history yet: no index to build."
    return ""


def _parse_params(pairs: tuple[str, ...]) -> dict[str, float]:
    """Turn NAME=VALUE pairs into method parameters."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--param")
        params[name.strip()] = float(value)
    return params


@index_group.command("build")
@click.option(
    "--k",
    default=100,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Co-occurrence neighbours per track.",
)
@click.option(
    "--method",
    default=DEFAULT_METHOD,
    show_default=True,
    type=click.Choice(sorted(COOC_METHODS)),
    help="Co-occurrence normalisation.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Method parameter, e.g. --param alpha=0.5 (repeatable).",
)
@click.option(
    "--if-missing",
    is_flag=True,
    help="Build only when no index is active yet and the catalog has playlists (make run).",
)
@with_appcontext
def build(k: int, method: str, params: tuple[str, ...], if_missing: bool) -> None:
    """Build a new index from the catalog and swap it in when complete."""
    if if_missing:
        reason = _nothing_to_build()
        if reason:
            click.echo(reason)
            return
        click.echo("Building the similarity index for the catalog (a few minutes, once) ...")
    options = BuildOptions(
        k=k, method=method, params=_parse_params(params), progress=sys.stderr.isatty()
    )
    stats = build_index(options)
    click.echo(_stage_table(stats))
    counts = ", ".join(f"{name} {count:,}" for name, count in stats["counts"].items())
    click.echo(f"rows: {counts}")
    click.echo(f"total {stats['seconds']:.1f} s, peak memory {stats['peak_mb']:.0f} MiB")


@index_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option(
    "--repair",
    is_flag=True,
    help="Mark builds whose process died mid-build failed and delete their rows.",
)
@with_appcontext
def status(as_json: bool, repair: bool) -> None:
    """Show the active build and its stats (with --repair, clean up interrupted builds first)."""
    if repair:
        repaired = repair_interrupted_builds()
        message = ", ".join(map(str, repaired)) if repaired else "none"
        click.echo(f"interrupted builds marked failed and their rows deleted: {message}", err=True)
    report = index_status()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    active, latest = report["active"], report["latest"]
    if active is None:
        click.echo("no active index: run `musaic index build`")
    else:
        stats = active["stats"]
        click.echo(
            f"active build {active['id']} finished {active['finished_at']} "
            f"({stats.get('method')}, {stats.get('seconds', 0):.1f} s)"
        )
        for name, count in stats.get("counts", {}).items():
            click.echo(f"  {name:14s} {count:>12,} rows")
    if latest is not None and (active is None or latest["id"] != active["id"]):
        click.echo(f"latest build {latest['id']}: {latest['status']}")


def _stage_table(stats: dict[str, Any]) -> str:
    """Format the per-stage times and peak memory."""
    lines = [f"{'stage':22s} {'seconds':>9s} {'peak MiB':>9s}"]
    for stage in stats["stages"]:
        lines.append(f"{stage['stage']:22s} {stage['seconds']:9.2f} {stage['peak_mb']:9.0f}")
    return "\n".join(lines)
