"""Browser fixtures: Debian's Chromium via Playwright, a real Musaic process, the stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import AXE, PageWatch
from tests.browser.server import SONGS, MusaicProcess, build_catalog
from tests.conftest import service_missing

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PATIENCE_MS = 15_000  # the whole suite shares two cores: wait longer than Playwright's 5 s


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Start headless Chromium once; fail in CI (skip elsewhere) when it cannot start."""
    try:
        from playwright.sync_api import Error, expect, sync_playwright
    except ImportError as exc:
        service_missing(f"Playwright for Python is not installed: {exc}")
    expect.set_options(timeout=PATIENCE_MS)
    if not AXE.exists():
        service_missing(f"axe-core is not at {AXE} (make test runs npm ci)")
    if not CHROMIUM.exists():
        service_missing(f"Chromium is not at {CHROMIUM} (make test installs Debian's chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    except Error as exc:
        playwright.stop()
        service_missing(f"Chromium at {CHROMIUM} did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the small indexed catalog once per run (about 20 s)."""
    if not SONGS.exists():
        pytest.skip(f"the TidyTuesday data is not at {SONGS}")
    return build_catalog(tmp_path_factory.mktemp("browser-catalog"))


@pytest.fixture(scope="module")
def musaic(
    catalog_file: Path, spotify_standin: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MusaicProcess]:
    """One real Musaic process per test module, on its own copy of the catalog."""
    server = MusaicProcess(catalog_file, tmp_path_factory.mktemp("musaic"), spotify_standin)
    yield server.start()
    server.stop()


@pytest.fixture
def page(chromium: Any, musaic: MusaicProcess, standin: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the page; fails on CSP violations or JS errors."""
    context = chromium.new_context(viewport=DESKTOP, accept_downloads=True, base_url=musaic.url)
    context.set_default_timeout(PATIENCE_MS)
    tab = context.new_page()
    watch = PageWatch(tab, musaic.url)
    yield tab
    context.close()
    watch.assert_clean()
