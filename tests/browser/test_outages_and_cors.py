"""The page when Musaic's own services fail, and a separate front end calling the API (CORS)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import PageWatch, check_screen
from tests.browser.server import MusaicProcess
from tests.browser.steps import log_in, open_page, pick_with_keyboard, search


class _FrontEnd(BaseHTTPRequestHandler):
    """A stand-in for a separately hosted front end: one empty page on its own origin."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>front end</title><p>front end</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture(scope="module")
def front_ends() -> Iterator[list[str]]:
    """Serve two front-end origins on loopback: the first is allowed, the second is not."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _FrontEnd) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def musaic(
    catalog_file: Path,
    spotify_standin: Any,
    tmp_path_factory: pytest.TempPathFactory,
    front_ends: list[str],
) -> Iterator[MusaicProcess]:
    """Musaic allowing the first front end (with credentials)."""
    folder = tmp_path_factory.mktemp("musaic-cors")
    server = MusaicProcess(catalog_file, folder, spotify_standin, CORS_ORIGINS=front_ends[0])
    yield server.start()
    server.stop()


CALL = """
async ([url, method]) => {
  try {
    const init = {method, credentials: 'include', headers: {'Content-Type': 'application/json'}};
    if (method === 'POST') init.body = JSON.stringify({seed: 'closer chainsmokers', length: 5});
    const response = await fetch(url, init);
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {blocked: String(error)};
  }
}
"""


def test_a_configured_front_end_calls_the_api_with_the_listeners_cookie(
    page: Any, musaic: Any, front_ends: list[str]
) -> None:
    open_page(page, musaic.url)
    log_in(page)
    page.goto(front_ends[0])
    status = page.evaluate(CALL, [f"{musaic.url}/api/auth/status", "GET"])
    assert status["status"] == 200 and status["body"]["logged_in"] is True
    seed = page.request.get(f"{musaic.url}/api/search?q=closer&limit=1").json()["items"][0]
    call = CALL.replace("'closer chainsmokers'", str(seed["id"]))
    made = page.evaluate(call, [f"{musaic.url}/api/playlists", "POST"])  # JSON: a preflight
    assert made["status"] == 201, made
    page.goto(front_ends[1])
    refused = page.evaluate(CALL, [f"{musaic.url}/api/auth/status", "GET"])
    assert "blocked" in refused


def test_the_page_says_so_when_musaic_is_unavailable(
    chromium: Any, catalog_file: Path, spotify_standin: Any, tmp_path: Path
) -> None:
    broken = MusaicProcess(
        catalog_file, tmp_path, spotify_standin, REDIS_URL="redis://127.0.0.1:1/0"
    ).start()
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(page, broken.url)
    try:
        open_page(page, broken.url)  # the page itself needs no session
        search(page, "closer chainsmokers")
        pick_with_keyboard(page)
        page.get_by_role("button", name="Generate playlist").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("The session store is unavailable")
        expect(alert).to_contain_text("try again in 5 seconds")
        check_screen(page, "unavailable")
        broken.stop()
        page.get_by_role("combobox", name="Search tracks").fill("firestone")
        expect(page.locator("#search-state")).to_contain_text("Musaic is not answering")
    finally:
        context.close()
        broken.stop()
    watch.assert_clean()
