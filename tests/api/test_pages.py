"""The page at / and its assets: served by Musaic itself, strict CSP, nothing inline."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from musaic import create_app
from musaic.api.pages import WEB_DIR

IMPORT = re.compile(r"""^import .* from "\./([\w-]+\.js)";$""", re.MULTILINE)


class _Inline(HTMLParser):
    """Collect what a strict CSP would block: inline scripts, styles and handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "style" or "style" in named:
            self.problems.append(f"inline style on <{tag}>")
        if tag == "script" and not named.get("src"):
            self.problems.append("inline <script>")
        self.problems.extend(f"{name} on <{tag}>" for name in named if name.startswith("on"))
        for key in ("src", "href"):
            value = named.get(key) or ""
            if value.startswith("/assets/"):
                self.assets.append(value)


def test_the_page_is_served_at_the_root_with_a_strict_csp(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    parser = _Inline()
    parser.feed(response.get_data(as_text=True))
    assert parser.problems == []
    assert "/assets/js/main.js" in parser.assets


def test_every_asset_and_module_the_page_loads_is_served(client: Any) -> None:
    parser = _Inline()
    parser.feed(client.get("/").get_data(as_text=True))
    modules = {
        m for path in (WEB_DIR / "js").glob("*.js") for m in IMPORT.findall(path.read_text())
    }
    wanted = set(parser.assets) | {f"/assets/js/{m}" for m in modules}
    for path in sorted(wanted):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert client.get("/assets/js/main.js").mimetype in (
        "text/javascript",
        "application/javascript",
    )
    assert client.get("/assets/app.css").mimetype == "text/css"


@pytest.mark.parametrize("path", ["/assets/index.html", "/assets/../api/pages.py", "/assets/x.js"])
def test_anything_else_under_assets_is_a_404_envelope(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_the_page_loads_while_the_session_store_is_down(sqlite_url: str) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "a-returning-listener")
    assert client.get("/").status_code == 200
    assert client.get("/assets/js/api.js").status_code == 200
    status = client.get("/api/auth/status")
    assert status.status_code == 503  # which the page then shows as a message
    assert status.get_json()["error"]["code"] == "session_store_unavailable"


def test_a_separate_front_end_may_post_json_with_credentials(sqlite_url: str) -> None:
    origin = "http://127.0.0.1:5173"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=sqlite_url, CORS_ORIGINS=[origin])
    preflight = app.test_client().options(
        "/api/playlists",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
