"""`musaic eval [split]`: offline evaluation on held-out MPD playlists."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from musaic.evaluation.playlists import PlaylistFileError, split_playlists
from musaic.evaluation.rankers import parse_weights
from musaic.evaluation.report import PlotUnavailableError, draw_chart, format_table, write_json
from musaic.evaluation.run import EvalOptions, ablation_variants, evaluate

_SLICES = click.Path(exists=True, path_type=Path)  # a slice file or a folder of them
_OUT = click.Path(dir_okay=False, path_type=Path)


@click.group("eval", invoke_without_command=True)
@click.option(
    "--playlists",
    type=_SLICES,
    help="MPD slice file (plain or .gz), or a folder of them, to evaluate on.",
)
@click.option("--k", default=100, show_default=True, type=click.IntRange(1, 1000))
@click.option("--limit", type=click.IntRange(1), help="Evaluate the first N playlists only.")
@click.option("--matcher", "matchers", multiple=True, help="Matcher name or 'all' (repeatable).")
@click.option(
    "--weights",
    "weights",
    multiple=True,
    metavar="NAME=W,...",
    help="Also run hybrid with these weights, e.g. cooccurrence=1,artist=0.3.",
)
@click.option("--ablation", is_flag=True, help="Also run hybrid without each of its signals.")
@click.option("--cold", is_flag=True, help="Also score with each seed's co-occurrence hidden.")
@click.option(
    "--cold-artist",
    is_flag=True,
    help="Also score with each seed's artists new too (only tags and sound to go on).",
)
@click.option("--beyond", is_flag=True, help="Also score finished playlists per popularity option.")
@click.option("--json", "json_out", type=_OUT, help="Write the report as JSON here.")
@click.option("--plot", "plot_out", type=_OUT, help="Draw a bar chart (PNG) here.")
@click.pass_context
@with_appcontext
def eval_group(
    ctx: click.Context,
    playlists: Path | None,
    k: int,
    limit: int | None,
    matchers: tuple[str, ...],
    weights: tuple[str, ...],
    ablation: bool,
    cold: bool,
    cold_artist: bool,
    beyond: bool,
    json_out: Path | None,
    plot_out: Path | None,
) -> None:
    """Score the matchers (default: the default one) and the baselines on held-out playlists."""
    if ctx.invoked_subcommand is not None:
        return
    if playlists is None:
        raise click.UsageError("--playlists is required (or use `musaic eval split`)")
    if plot_out is not None and importlib.util.find_spec("matplotlib") is None:
        raise click.BadParameter(str(PlotUnavailableError()), param_hint="--plot")
    try:
        variants = {f"hybrid[{spec}]": parse_weights(spec) for spec in weights}
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--weights") from exc
    if ablation:
        variants.update(ablation_variants())
    progress = sys.stderr.isatty()
    options = EvalOptions(
        k, limit, matchers, variants, progress, cold=cold, cold_artist=cold_artist, beyond=beyond
    )
    try:
        report = evaluate(playlists, options)
    except PlaylistFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--playlists") from exc
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--matcher") from exc
    click.echo(format_table(report))
    if json_out is not None:
        write_json(report, json_out)
    if plot_out is not None:
        draw_chart(report, plot_out)


@eval_group.command("split")
@click.option(
    "--playlists",
    type=_SLICES,
    required=True,
    help="MPD slice file, or a folder of them, to split.",
)
@click.option(
    "--holdout",
    default=0.15,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=7, show_default=True, help="Changes which playlists are held out.")
def split(playlists: Path, holdout: float, out_dir: Path, seed: int) -> None:
    """Write OUT/train.json.gz and OUT/test.json.gz, held out by a hash of each pid."""
    try:
        counts = split_playlists(playlists, out_dir, holdout, seed)
    except PlaylistFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--playlists") from exc
    click.echo(f"train {counts['train']} playlists -> {out_dir / 'train.json.gz'}")
    click.echo(f"test {counts['test']} playlists -> {out_dir / 'test.json.gz'}")
