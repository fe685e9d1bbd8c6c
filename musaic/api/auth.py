"""Login with Spotify: /api/auth/login, /callback, /logout, /status, and /api/me."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, session
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from musaic.api.schemas import ErrorEnvelope
from musaic.api.spotify_context import listener_client, spotify_factory
from musaic.errors import UnauthorisedError
from musaic.services import auth
from musaic.services.spotify_access import make_vault

bp = APIBlueprint("auth", __name__, url_prefix="/api", abp_tags=[Tag(name="auth")])

PENDING_LOGIN_KEY = "pending_login"


# Printable ASCII only and short enough that the request line, percent-encoded, stays under
# gunicorn's 4,094-byte limit (beyond it the client gets gunicorn's HTML 414, not the envelope).
URL_TEXT = r"^[!-~]*$"
OAUTH_TOKEN = r"^[A-Za-z0-9._~-]*$"  # what Spotify puts in code and state (URL-safe)


class LoginQuery(BaseModel):
    """Where to return after login (a local path or an allowed front-end URL)."""

    next: str | None = Field(default=None, max_length=1000, pattern=URL_TEXT)


class CallbackQuery(BaseModel):
    """What Spotify sends back to the redirect URI."""

    code: str | None = Field(default=None, max_length=1000, pattern=OAUTH_TOKEN)
    state: str | None = Field(default=None, max_length=200, pattern=OAUTH_TOKEN)
    error: str | None = Field(default=None, max_length=200, pattern=URL_TEXT)


class UserOut(BaseModel):
    """A listener's public profile."""

    id: int
    display_name: str | None
    image_url: str | None


class StatusOut(BaseModel):
    """Whether someone is logged in, without any secret."""

    logged_in: bool
    spotify_configured: bool
    user: UserOut | None


def _user_out(user: Any) -> dict[str, Any]:
    return {"id": user.id, "display_name": user.display_name, "image_url": user.image_url}


@bp.get("/auth/login", responses={302: None, 503: ErrorEnvelope})
def login(query: LoginQuery) -> Response:
    """Send the listener to Spotify's consent page (state and PKCE kept in the session)."""
    start = auth.begin_login(spotify_factory(), current_app.config["CORS_ORIGINS"], query.next)
    session[PENDING_LOGIN_KEY] = start.pending
    return redirect(start.authorize_url, code=302)


@bp.get("/auth/callback", responses={302: None, 400: ErrorEnvelope})
def callback(query: CallbackQuery) -> Response:
    """Finish the login: check state, trade the code, store tokens, rotate the session id."""
    pending = session.pop(PENDING_LOGIN_KEY, None)  # single use, even when the login fails
    user_id = auth.complete_login(
        spotify_factory(),
        make_vault(current_app.config),
        pending,
        state=query.state,
        code=query.code,
        error=query.error,
    )
    session["user_id"] = user_id
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]
    return redirect(str(pending["next"]) if pending else "/", code=302)


@bp.post("/auth/logout", responses={200: StatusOut})
def logout() -> dict[str, Any]:
    """Forget the listener's tokens and clear the session."""
    auth.logout(session.get("user_id"))
    session.clear()
    return {
        "logged_in": False,
        "spotify_configured": spotify_factory().settings.configured,
        "user": None,
    }


@bp.get("/auth/status", responses={200: StatusOut})
def status() -> dict[str, Any]:
    """Say whether a listener is logged in (and who), never revealing a token."""
    user_id = session.get("user_id")
    user = None
    if user_id is not None:
        try:
            user = _user_out(auth.get_user(user_id))
        except UnauthorisedError:
            session.pop("user_id", None)
    return {
        "logged_in": user is not None,
        "spotify_configured": spotify_factory().settings.configured,
        "user": user,
    }


@bp.get("/me", responses={200: UserOut, 401: ErrorEnvelope})
def me() -> dict[str, Any]:
    """Return the listener's profile, refreshed from Spotify."""
    client = listener_client()
    if client is None:
        raise UnauthorisedError("Log in with Spotify first.", code="not_logged_in")
    return _user_out(auth.refresh_profile(session.get("user_id"), client))
