"""Browser-facing protection: proxy headers, CSRF origin check, security headers, no-store."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from musaic import metrics
from musaic.errors import MusaicError
from musaic.observability import security_event

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
APP_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
# Swagger UI boots from an inline script and styles: allowed on /docs only (off in production).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"


class CsrfRefusedError(MusaicError):
    """A cookie-authenticated unsafe request came from a foreign origin (403)."""

    status_code = 403
    code = "csrf_refused"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def allowed_origins() -> set[str]:
    """The app's own origin (as the client sees it, through the proxy) plus CORS_ORIGINS."""
    own = f"{request.scheme}://{request.host}".lower()
    return {own, *(o.lower() for o in current_app.config.get("CORS_ORIGINS", []))}


def check_csrf() -> None:
    """Refuse a cookie-carrying unsafe request whose Origin (or Referer) is not ours."""
    if request.method not in UNSAFE_METHODS:
        return
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return  # no ambient credentials to abuse
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer")
        if referer is None:
            return  # not a browser: every browser sends Origin on a cross-origin unsafe request
        origin = _origin_of(referer)
    if origin.lower() in allowed_origins():
        return
    metrics.CSRF_REFUSED.inc()
    security_event("csrf_refused", origin=origin[:200], method=request.method)
    raise CsrfRefusedError(
        "This request came from another site; it was refused.",
        details={"origin": origin[:200], "reason": "origin not allowed"},
    )


def _authenticated() -> bool:
    name = current_app.config["SESSION_COOKIE_NAME"]
    if name in request.cookies:
        return True
    try:
        return session.get("user_id") is not None
    except RuntimeError:
        return False


def add_security_headers(response: Response) -> Response:
    """Set the security headers every response carries (HSTS in production)."""
    headers = response.headers
    docs = request.path.startswith("/docs")
    headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else APP_CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if _authenticated() or "Set-Cookie" in headers or request.path.startswith("/api/auth"):
        headers["Cache-Control"] = "no-store"
    return response


def _remember_user() -> None:
    try:
        g.user_at_start = session.get("user_id")
    except RuntimeError:
        g.user_at_start = None
    if g.get("session_expired"):
        security_event("session_expired")


def _error_code(response: Response) -> str:
    if response.status_code < 400 or not response.is_json:
        return ""
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code", "")) if isinstance(error, dict) else ""


def log_auth_events(response: Response) -> Response:
    """Log logins, logouts, bad states and failed token refreshes as security events."""
    endpoint, code = request.endpoint, _error_code(response)
    if endpoint == "auth.callback":
        if response.status_code == 302:
            security_event("login")
        else:
            security_event("bad_state" if code == "invalid_state" else "login_failed", code=code)
    elif endpoint == "auth.logout":
        security_event("logout", previous_user_id=g.get("user_at_start"))
    if code == "spotify_reauth_required":
        security_event("refresh_failed", previous_user_id=g.get("user_at_start"))
    return response


def proxy_hops(app: Flask) -> int:
    """How many proxies to trust for X-Forwarded-* (default: 1 in production, else 0)."""
    hops = app.config.get("PROXY_HOPS")
    if hops is None:
        return 1 if app.config.get("ENV_NAME") == "production" else 0
    return int(hops)


def init_app(app: Flask) -> None:
    """Trust the router's forwarded headers, check origins, and add the headers."""
    hops = proxy_hops(app)
    if hops:
        # Heroku's router sets X-Forwarded-For/-Proto/-Port and keeps Host as sent.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_port=hops, x_host=0
        )
    app.before_request(_remember_user)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    app.after_request(log_auth_events)
