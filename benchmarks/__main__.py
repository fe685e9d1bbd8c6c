"""Run a benchmark by name: `python -m benchmarks search [--database-url URL]`."""

from __future__ import annotations

import sys
from collections.abc import Callable


def _search(argv: list[str]) -> None:
    from benchmarks import search

    search.main(argv)


def _index(argv: list[str]) -> None:
    from benchmarks import index

    index.main(argv)


def _generation(argv: list[str]) -> None:
    from benchmarks import generation

    generation.main(argv)


def _imports(argv: list[str]) -> None:
    from benchmarks import imports

    imports.main(argv)


def _scale(argv: list[str]) -> None:
    from benchmarks import scale

    scale.main(argv)


BENCHMARKS: dict[str, Callable[[list[str]], None]] = {
    "imports": _imports,
    "search": _search,
    "index": _index,
    "generation": _generation,
    "scale": _scale,
}


def main() -> None:
    """Dispatch to the benchmark named by the first argument."""
    if len(sys.argv) < 2 or sys.argv[1] not in BENCHMARKS:
        sys.exit(f"usage: python -m benchmarks {{{','.join(BENCHMARKS)}}} [options]")
    BENCHMARKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
