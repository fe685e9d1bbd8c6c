"""Who is asking: the logged-in user, else this browser session's anonymous history key."""

from __future__ import annotations

import secrets

from flask import session

from musaic.services.listener import Listener

HISTORY_KEY = "history_key"


def current_listener(*, start_history: bool = False) -> Listener:
    """Return the listener; with `start_history`, give an anonymous session a history key."""
    raw_user_id = session.get("user_id")
    user_id = int(raw_user_id) if raw_user_id is not None else None
    history_key = session.get(HISTORY_KEY)
    if history_key is None and start_history and user_id is None:
        history_key = session[HISTORY_KEY] = secrets.token_urlsafe(16)
    return Listener(user_id=user_id, history_key=history_key)
