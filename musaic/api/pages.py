"""The listener's page at /: static files from musaic/web, sent with a strict CSP."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory
from werkzeug.exceptions import NotFound

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
ASSET_TYPES = (".js", ".css", ".svg", ".png")
# Every script and style is a file served from here, so nothing else needs allowing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)

bp = Blueprint("pages", __name__)


def _with_page_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.get("/")
def index() -> Response:
    """Serve the page (never cached, so a new release shows at once)."""
    response = send_from_directory(WEB_DIR, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return _with_page_headers(response)


@bp.get("/assets/<path:name>")
def asset(name: str) -> Response:
    """Serve a script, style sheet or image of the page (revalidated by ETag)."""
    if not name.endswith(ASSET_TYPES):
        raise NotFound()
    response = send_from_directory(WEB_DIR, name, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return _with_page_headers(response)
