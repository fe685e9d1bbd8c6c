"""Flask extensions, created unbound here and bound to the app in the factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis
from flask_cors import CORS
from flask_migrate import Migrate
from flask_session import Session
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable across databases."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
sessions = Session()
cors = CORS()


def redis_connection(config: Mapping[str, Any], *, timeout: float = 1.0) -> redis.Redis:
    """Connect to REDIS_URL; a rediss:// URL checks the certificate as REDIS_SSL_CERT_REQS says."""
    url = str(config["REDIS_URL"])
    options: dict[str, Any] = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    if url.startswith("rediss://"):
        # Heroku Redis presents a self-signed certificate: "none" by default, "required" elsewhere.
        options["ssl_cert_reqs"] = str(config.get("REDIS_SSL_CERT_REQS") or "none")
    return redis.Redis.from_url(url, **options)


SQLITE_BUSY_TIMEOUT_MS = 3000  # a write waiting this long for a lock becomes a 503, not a hang
SQLITE_PAGE_SIZE = 16384
# Read the file through a shared memory map instead of a read() into each connection's own
# 2 MiB page cache: a generation touches ~400 pages scattered over tracks, credits and the
# index, which that cache could not hold (README "Generation"). Address space, not memory.
SQLITE_MMAP_SIZE = 1 << 30
POSTGRES_CONNECT_TIMEOUT_S = 3  # an unreachable server is a 503 after this, not a worker timeout


@event.listens_for(Engine, "do_connect")
def _postgres_connect_timeout(dialect: Any, _record: Any, _args: Any, kwargs: Any) -> None:
    """Bound how long connecting to PostgreSQL may take."""
    if dialect.name == "postgresql":
        kwargs.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_S)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys and let readers work while a writer writes (SQLite only)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Only a new, empty file takes these two, and the page size only when it comes first
        # (after auto_vacuum, SQLite 3.40 keeps 4 KiB). 16 KiB pages hold ~13 packed neighbour
        # lists each where 4 KiB pages held 3-4 and left a sixth of every page empty
        # (docs/index-contract). Incremental auto-vacuum: the pages an index rebuild frees can
        # be given back to the file system (musaic.models.space).
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
        # Write-ahead logging: requests keep reading while an import or index build writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits,
        # never a crashed process. It saves an fsync per commit (every generated playlist).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_SIZE}")
        cursor.close()
