"""Present an evaluation: a text table, a JSON file and a bar chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COLUMNS = ("ndcg@{k}", "r_precision", "recall@{k}", "clicks", "artist_ndcg@{k}", "ms_per_case")


def format_table(report: dict[str, Any]) -> str:
    """Return the results as an aligned text table, one row per method."""
    k = report["k"]
    columns = [c.format(k=k) for c in COLUMNS]
    header = f"{'method':34s} " + " ".join(f"{c:>15s}" for c in columns)
    lines = [
        f"{report['cases']} cases from {report['playlists']} playlists "
        f"({report['skipped']} without a known seed or target), K={k}",
        header,
    ]
    for name, metrics in report["results"].items():
        values = " ".join(f"{metrics.get(c, float('nan')):15.4f}" for c in columns)
        lines.append(f"{name:34s} {values}")
    return "\n".join(lines)


def format_markdown(report: dict[str, Any]) -> str:
    """Return the results as a Markdown table (for docs)."""
    k = report["k"]
    columns = [c.format(k=k) for c in COLUMNS]
    lines = ["| method | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, metrics in report["results"].items():
        lines.append(f"| {name} | " + " | ".join(f"{metrics[c]:.4f}" for c in columns) + " |")
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
