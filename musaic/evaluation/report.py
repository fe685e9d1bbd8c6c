"""Present an evaluation: a text table, a JSON file and a bar chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from musaic.evaluation.rankers import BASELINES

REFERENCE = "cooccurrence_count"  # the bar the quality targets are set against
COLUMNS = ("ndcg@{k}", "r_precision", "recall@{k}", "clicks", "artist_ndcg@{k}", "ms_per_case")


BEYOND_COLUMNS = (
    "ndcg@30",
    "r_precision",
    "popularity_percentile",
    "distinct_artists_in_30",
    "catalog_coverage",
)


def _rows(results: dict[str, dict[str, float]], columns: list[str]) -> list[str]:
    header = f"{'method':34s} " + " ".join(f"{c:>15s}" for c in columns)
    lines = [header]
    for name, metrics in results.items():
        values = " ".join(f"{metrics.get(c, float('nan')):15.4f}" for c in columns)
        lines.append(f"{name:34s} {values}")
    return lines


def gains_over_counts(results: dict[str, dict[str, float]], k: int) -> dict[str, dict[str, float]]:
    """Return each matcher's NDCG@k and R-precision as a gain over raw counts (0.2 = +20 %)."""
    reference = results.get(REFERENCE) or {}
    gains: dict[str, dict[str, float]] = {}
    for name, metrics in results.items():
        if name in BASELINES:
            continue
        gains[name] = {
            column: round(metrics[column] / reference[column] - 1, 4)
            for column in (f"ndcg@{k}", "r_precision")
            if reference.get(column) and column in metrics
        }
    return gains


def against_counts(results: dict[str, dict[str, float]], k: int) -> list[str]:
    """Return a line per matcher: its NDCG@k and R-precision over the raw-count baseline's."""
    lines = []
    for name, gains in gains_over_counts(results, k).items():
        shown = [
            f"{gains[column] * 100:+.1f} % {label}" if column in gains else f"n/a {label}"
            for column, label in ((f"ndcg@{k}", f"NDCG@{k}"), ("r_precision", "R-precision"))
        ]
        lines.append(f"  {name}: {', '.join(shown)}")
    return [f"against {REFERENCE} (raw counts):", *lines] if lines else []


def format_table(report: dict[str, Any]) -> str:
    """Return the results as aligned text tables: normal mode, then cold seeds and beyond."""
    k = report["k"]
    columns = [c.format(k=k) for c in COLUMNS]
    lines = [
        f"{report['cases']} cases from {report['playlists']} playlists "
        f"({report['skipped']} without a known seed or target), K={k}",
        *_rows(report["results"], columns),
        *against_counts(report["results"], k),
    ]
    if "cold_results" in report:
        lines += [
            "",
            "cold seeds (the seed in no playlist):",
            *_rows(report["cold_results"], columns),
        ]
    if "cold_artist_results" in report:
        lines += [
            "",
            "cold artists (the seed's artists new: no playlists, no other tracks):",
            *_rows(report["cold_artist_results"], columns),
        ]
    if "beyond" in report:
        lines += [
            "",
            "finished 30-track playlists:",
            *_rows(report["beyond"], list(BEYOND_COLUMNS)),
        ]
    return "\n".join(lines)


def format_markdown(results: dict[str, dict[str, float]], columns: list[str]) -> str:
    """Return one results table as Markdown (for docs)."""
    lines = ["| method | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, metrics in results.items():
        values = " | ".join(f"{metrics.get(c, float('nan')):.4f}" for c in columns)
        lines.append(f"| {name} | {values} |")
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: Path) -> None:
    """Write the report as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))


class PlotUnavailableError(RuntimeError):
    """Raised when --plot is asked for without the optional matplotlib extra."""

    def __init__(self) -> None:
        super().__init__("--plot needs matplotlib: pip install 'musaic[plot]'")


def draw_chart(report: dict[str, Any], path: Path) -> None:
    """Draw NDCG@K and R-precision per method as grouped bars into a PNG."""
    try:
        import matplotlib
    except ImportError as missing:  # an optional extra: pip install 'musaic[plot]'
        raise PlotUnavailableError() from missing

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = report["k"]
    names = list(report["results"])
    metrics = (f"ndcg@{k}", "r_precision")
    fig, ax = plt.subplots(figsize=(max(6.0, 0.8 * len(names)), 4.5))
    width = 0.4
    for i, metric in enumerate(metrics):
        values = [report["results"][n][metric] for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=metric)
    ax.set_xticks([x + width / 2 for x in range(len(names))], names, rotation=35, ha="right")
    ax.set_title(f"{report['cases']} held-out playlists, K={k}")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
