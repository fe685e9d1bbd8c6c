"""Process-level settings the serving entry points apply once the app is built."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect once, then exempt everything alive so far from garbage collection (gc.freeze).

    The app's start-up objects (SQLAlchemy metadata, compiled statements, the OpenAPI models)
    never become garbage; without this, each full collection walks them all again, and a
    request that triggers one pays tens of milliseconds for it (README, Generation p95).
    """
    gc.collect()
    gc.freeze()
