"""Run a benchmark by name: `python -m benchmarks search [--database-url URL]`."""

from __future__ import annotations

import importlib
import sys

# Each name is a module of this package with a `main(argv)`; imported only when asked for.
BENCHMARKS = (
    "imports",
    "search",
    "index",
    "generation",
    "scale",
    "embed_recall",
    "export",
    "protection",
    "load",
    "fuzz",
)


def main() -> None:
    """Dispatch to the benchmark named by the first argument."""
    if len(sys.argv) < 2 or sys.argv[1] not in BENCHMARKS:
        sys.exit(f"usage: python -m benchmarks {{{','.join(BENCHMARKS)}}} [options]")
    importlib.import_module(f"benchmarks.{sys.argv[1]}").main(sys.argv[2:])


if __name__ == "__main__":
    main()
