"""Schemathesis against /openapi.json of a live server: no 5xx, no response off its schema."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog_world.standard import standard_world
from tests.production.servers import run_schemathesis

FAST_EXAMPLES = 5  # per operation and phase; `python -m benchmarks fuzz` runs a larger budget


# On the production database; `python -m benchmarks fuzz` runs either with a larger budget.
@pytest.mark.parametrize("backend", ["postgres"])
def test_fuzzing_the_api_finds_no_server_error_or_schema_violation(live: Any) -> None:
    with live.server.app.app_context():
        standard_world()
    done = run_schemathesis(live.url, FAST_EXAMPLES, timeout_s=180)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "Server error" not in done.stdout
    assert "violates schema" not in done.stdout
