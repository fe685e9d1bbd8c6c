"""`musaic index build|train|status`: the similarity index from the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from musaic.indexing.ranker import RankerOptions
from musaic.indexing.tables import COOC_METHODS, DEFAULT_METHOD
from musaic.services.catalog import catalog_stats
from musaic.services.index import (
    BuildOptions,
    build_index,
    index_status,
    repair_interrupted_builds,
)
from musaic.services.ranker import nothing_to_train, ranker_step, train_active_build


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


def _ranker_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --ranker-seed and --ranker-folds (build and train take both)."""
    seed = click.option(
        "--ranker-seed", default=7, show_default=True, help="Learning fold and model seed."
    )
    folds = click.option(
        "--ranker-folds",
        default=1,
        show_default=True,
        type=click.IntRange(1, 9),
        help="Disjoint learning folds (each 10 % of the playlists), each left out of its own "
        "training index: more cases to learn from, a training index more per fold.",
    )
    return seed(folds(command))


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
@click.option(
    "--ranker/--no-ranker",
    default=False,
    show_default=True,
    help="Also build ALS rows and train the default `ranked` matcher's model, stored with the"
    " build (about 6 min and 2 GiB peak on the demo catalog with --ranker-folds 3; make run skips"
    " it, and `ranked` then ranks as the hybrid does).",
)
@_ranker_options
@with_appcontext
def build(
    k: int,
    method: str,
    params: tuple[str, ...],
    if_missing: bool,
    ranker: bool,
    ranker_seed: int,
    ranker_folds: int,
) -> None:
    """Build a new index from the catalog and swap it in when complete."""
    if if_missing:
        reason = _nothing_to_build()
        if reason:
            click.echo(reason)
            return
        click.echo("Building the similarity index for the catalog (a few minutes, once) ...")
    options = BuildOptions(
        k=k, method=method, params=_parse_params(params), progress=sys.stderr.isatty(), als=ranker
    )
    reports: list[dict[str, Any]] = []
    pairs = tuple(sorted(options.params.items()))
    learn = RankerOptions(seed=ranker_seed, k=k, method=method, params=pairs, folds=ranker_folds)
    stats = build_index(options, ranker_step(learn, reports) if ranker else None)
    click.echo(_stage_table(stats))
    for report in reports:
        click.echo(f"ranker: {_ranker_line(report)}")
    counts = ", ".join(f"{name} {count:,}" for name, count in stats["counts"].items())
    click.echo(f"rows: {counts}")
    click.echo(f"total {stats['seconds']:.1f} s, peak memory {stats['peak_mb']:.0f} MiB")


def _ranker_line(report: dict[str, Any]) -> str:
    """Summarise a training report in one line."""
    if "skipped" in report:
        return f"not trained ({report['skipped']}); `ranked` ranks as `hybrid`"
    return (
        f"{report['learning_playlists']} learning playlists in {report.get('folds', 1)} "
        f"fold(s), recall@candidates "
        f"{report['recall@candidates']:.3f}, validation NDCG@100 "
        f"{report['validation_ndcg@100_model']:.4f} vs hybrid order "
        f"{report['validation_ndcg@100_hybrid_order']:.4f}, {report['seconds']:.0f} s"
    )


@index_group.command("train")
@_ranker_options
@click.option(
    "--if-missing", is_flag=True, help="Leave an active build that already has a model alone."
)
@click.option(
    "--background",
    is_flag=True,
    help="Train in a process of its own at low priority and return at once; it writes to "
    "instance/ranker-training.log, and serving processes pick the model up within a minute "
    "(make run).",
)
@with_appcontext
def train(ranker_seed: int, ranker_folds: int, if_missing: bool, background: bool) -> None:
    """(Re)train the `ranked` matcher's model for the active build, from the same catalog."""
    if background:
        reason = nothing_to_train(if_missing)
        if reason:
            click.echo(f"ranker: {reason}")
            return
        running = _training_process()
        if running:
            click.echo(f"The `ranked` model is already being trained (process {running}).")
            return
        log = _train_in_background(ranker_seed, ranker_folds, if_missing)
        click.echo(f"Training the `ranked` model in the background; progress in {log}.")
        return
    try:
        report = train_active_build(ranker_seed, ranker_folds, if_missing=if_missing)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from exc
    if report is None:
        click.echo("ranker: the active build already has a model; left as it is")
        return
    click.echo(f"ranker: {_ranker_line(report)}")


def _pid_file() -> Path:
    return Path(current_app.instance_path) / "ranker-training.pid"


def _training_process() -> int | None:
    """Return the pid of a background training that is still running, if any."""
    try:
        pid = int(_pid_file().read_text().strip())
        os.kill(pid, 0)  # raises when no such process is left
    except (OSError, ValueError):
        return None
    return pid


def _train_in_background(seed: int, folds: int, if_missing: bool) -> Path:
    """Start `musaic index train` in a detached, niced process of its own; return its log."""
    log = Path(current_app.instance_path) / "ranker-training.log"
    command = [sys.executable, "-m", "musaic.cli", "index", "train"]
    command += ["--ranker-seed", str(seed), "--ranker-folds", str(folds)]
    command += ["--if-missing"] if if_missing else []
    if shutil.which("nice"):
        command = ["nice", "-n", "10", *command]
    # The child reads the database this process uses, whatever set it (environment or config).
    env = {**os.environ, "DATABASE_URL": current_app.config["SQLALCHEMY_DATABASE_URI"]}
    with log.open("ab") as out:
        child = subprocess.Popen(  # our own interpreter and arguments, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env=env,
            start_new_session=True,  # outlives this command, and a Ctrl-C of the server
        )
    _pid_file().write_text(f"{child.pid}\n")
    return log


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
