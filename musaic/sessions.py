"""Server-side sessions: Redis when REDIS_URL is set, a cachelib file cache otherwise.

A session ends after SESSION_IDLE_MINUTES without a request (the store's TTL and the cookie are
renewed on every request) and, whatever the activity, SESSION_ABSOLUTE_HOURS after login or first
use: a stolen cookie is worth at most that long, and a shared computer left logged in forgets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from cachelib import FileSystemCache
from flask import Flask, Request, Response, current_app, g, has_request_context, request, session
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import event

from musaic.api.errors import handle_musaic_error
from musaic.errors import ServiceUnavailableError
from musaic.extensions import db, redis_connection, sessions

# Endpoints that must answer while the session store is down never load a session (the page's
# assets too). The page itself may load one but needs none: it then says what is wrong.
SESSION_FREE_PATHS = frozenset({"/api/health", "/api/ready", "/openapi.json", "/metrics"})
SESSION_FREE_PREFIXES = ("/docs", "/assets/")
STORE_OPTIONAL_PATHS = frozenset({"/"})
STORE_ERRORS = (redis.RedisError, OSError)
CREATED_KEY = "_created"
SEEN_KEY = "_seen"
SEEN_EVERY_S = 60


class GuardedSessionInterface(SessionInterface):
    """Wrap Flask-Session so a dead store becomes a clear 503 instead of a crash."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """Open the stored session, or a throw-away one on session-free paths and outages."""
        if request.path in SESSION_FREE_PATHS or request.path.startswith(SESSION_FREE_PREFIXES):
            g.session_free = True
            return self.make_null_session(app)
        try:
            session = self.inner.open_session(app, request)
            if session and _expired(app, session):
                self.inner.regenerate(session)  # the old id is deleted from the store
                session.clear()
                g.session_expired = True
            elif session:
                _stamp(app, session)
            return session  # type: ignore[no-any-return,unused-ignore]
        except STORE_ERRORS:
            g.session_store_down = True
            return self.make_null_session(app)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Persist the session unless it is a throw-away one."""
        if self.is_null_session(session):
            return
        if session and SEEN_KEY not in session:
            _stamp(app, session)  # a session that started in this request
        stored = g.get("session_stored")
        if stored is not None and stored[0] == dict(session):
            # Written before the commit and unchanged since: answer with that write's cookie
            # instead of writing the same values again.
            _answer_with(response, session, stored[1])
            return
        try:
            self.inner.save_session(app, session, response)
            if "Set-Cookie" in response.headers:
                response.headers["Cache-Control"] = "no-store"  # never cache a session id
        except STORE_ERRORS:
            if stored is not None and _content(stored[0]) == _content(session):
                # Stored before the commit and unchanged since: the answer stands.
                _answer_with(response, session, stored[1])
                return
            # The view has already answered; turn its response into the 503 so the
            # client never believes a login or a choice was remembered when it was not.
            failure = handle_musaic_error(_store_down())
            response.status_code = failure.status_code
            response.set_data(failure.get_data())
            response.headers["Content-Type"] = failure.headers["Content-Type"]
            response.headers["Retry-After"] = failure.headers["Retry-After"]

    def regenerate(self, session: SessionMixin) -> None:
        """Give the session a new id (after login), dropping the old stored copy."""
        self.inner.regenerate(session)
        session[CREATED_KEY] = int(_clock(current_app)())  # the absolute limit restarts


def _answer_with(response: Response, session: SessionMixin, cookies: list[str]) -> None:
    """Add what saving `session` would have added to the response: its cookie and headers."""
    if session.accessed:
        response.vary.add("Cookie")
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie)
    if cookies:
        response.headers["Cache-Control"] = "no-store"  # never cache a session id


def _clock(app: Flask) -> Callable[[], float]:
    """The session clock (tests inject one through SESSION_CLOCK)."""
    return app.config.get("SESSION_CLOCK") or time.time


def _stamp(app: Flask, session: SessionMixin) -> None:
    """Record when the session was first and last used (checked by `_expired`).

    "Last used" moves at most once a minute: a request that changes nothing else then writes
    nothing to the store (the idle limit is kept to the minute, not to the second).
    """
    now = int(_clock(app)())
    session.setdefault(CREATED_KEY, now)
    if now - int(session.get(SEEN_KEY, -SEEN_EVERY_S)) >= SEEN_EVERY_S:
        session[SEEN_KEY] = now


def _expired(app: Flask, session: SessionMixin) -> bool:
    """Tell whether the session outlived its idle or its absolute limit."""
    now = _clock(app)()
    idle = app.permanent_session_lifetime.total_seconds()
    created = float(session.get(CREATED_KEY, now))
    seen = float(session.get(SEEN_KEY, now))
    return now - seen > idle or now - created > float(app.config["SESSION_ABSOLUTE_SECONDS"])


def _store_down() -> ServiceUnavailableError:
    return ServiceUnavailableError(
        "The session store is unavailable; try again shortly.",
        code="session_store_unavailable",
        headers={"Retry-After": "5"},
    )


def _content(values: Any) -> dict[str, Any]:
    """Return a session's values without the timestamps that every save refreshes."""
    return {k: v for k, v in dict(values).items() if k not in (CREATED_KEY, SEEN_KEY)}


def _store_session_before_commit(_db_session: Any) -> None:
    """Write a changed session to its store before a request commits, so a dead store
    aborts the commit (503, nothing saved) instead of answering 503 after saving."""
    if not has_request_context():
        return
    interface = current_app.session_interface
    if not isinstance(interface, GuardedSessionInterface) or interface.is_null_session(session):
        return
    if not session or not interface.inner.should_set_storage(current_app, session):
        return  # the response will not write the store either (unchanged, no refresh)
    scratch = current_app.response_class()
    try:
        interface.inner.save_session(current_app, session, scratch)
    except STORE_ERRORS as exc:
        raise _store_down() from exc
    g.session_stored = (dict(session), scratch.headers.getlist("Set-Cookie"))


def _refuse_when_store_down() -> None:
    if g.get("session_store_down") and request.path not in STORE_OPTIONAL_PATHS:
        raise _store_down()


def init_app(app: Flask) -> None:
    """Pick the session store from the configuration and guard it."""
    app.config.setdefault("SESSION_PERMANENT", True)
    # Idle timeout: a session is written (renewing the store's TTL and the cookie's expiry)
    # whenever it changes, and `_stamp` changes it at least once a minute of use.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.config.setdefault("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
    if app.config.get("REDIS_URL"):
        app.config["SESSION_TYPE"] = "redis"
        app.config.setdefault("SESSION_REDIS", redis_connection(app.config))
    else:
        app.config["SESSION_TYPE"] = "cachelib"
        app.config.setdefault(
            "SESSION_CACHELIB",
            FileSystemCache(app.config["SESSION_DIR"], threshold=10_000, mode=0o600),
        )
    sessions.init_app(app)
    app.session_interface = GuardedSessionInterface(app.session_interface)
    app.before_request(_refuse_when_store_down)
    if not event.contains(db.session, "before_commit", _store_session_before_commit):
        event.listen(db.session, "before_commit", _store_session_before_commit)
