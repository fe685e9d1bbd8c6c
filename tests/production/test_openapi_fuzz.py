"""Schemathesis against /openapi.json of a live server: no 5xx, no response off its schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.matching.catalog_builder import standard_world

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("st")
FAST_EXAMPLES = 5  # per operation and phase; `python -m benchmarks fuzz` runs a larger budget
SEED = 20261201


def run_schemathesis(
    base_url: str, examples: int, timeout_s: float
) -> subprocess.CompletedProcess[str]:
    """Run every schemathesis check against the live server, reproducibly (fixed seed)."""
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{base_url}/openapi.json",
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--max-examples",
            str(examples),
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


@pytest.mark.parametrize(
    "backend", ["postgres"]
)  # the production database; the benchmark runs both
def test_fuzzing_the_api_finds_no_server_error_or_schema_violation(live: Any) -> None:
    with live.server.app.app_context():
        standard_world()
    done = run_schemathesis(live.url, FAST_EXAMPLES, timeout_s=180)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "Server error" not in done.stdout
    assert "violates schema" not in done.stdout
