"""Back up and restore the whole database: SQLite's online backup API, or pg_dump/pg_restore."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from musaic.errors import MusaicError

PG_TIMEOUT_S = 3600  # a dump or restore running longer than an hour is stuck, not slow
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(MusaicError):
    """A backup or restore cannot be made (tool missing, wrong file, tool failed)."""

    status_code = 400
    code = "backup_failed"


@dataclass(frozen=True)
class BackupResult:
    """What was written or read: the file, its size and the tool that did it."""

    path: Path
    bytes: int
    method: str


def backup(database_url: str, path: Path) -> BackupResult:
    """Write a consistent copy of the database to `path` (replaced only once complete)."""
    url = make_url(database_url)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        with closing(_sqlite(url)) as source, closing(sqlite3.connect(partial)) as target:
            source.backup(target)  # pages copied under a read lock: writers may go on
        method = "sqlite3 backup API"
    else:
        _run_pg("pg_dump", url, ["--format=custom", "--no-owner", f"--file={partial}"])
        method = "pg_dump -Fc"
    partial.replace(path)
    return BackupResult(path, path.stat().st_size, method)


def restore(database_url: str, path: Path) -> BackupResult:
    """Replace the database's contents with the backup at `path`, all or nothing."""
    url = make_url(database_url)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    magic = _head(path)
    if url.get_backend_name() == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(f"{path}: not a SQLite backup (made from PostgreSQL?)")
        with closing(sqlite3.connect(path)) as source, closing(_sqlite(url)) as target:
            if source.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{path}: the SQLite backup is damaged")
            source.backup(target)  # one transaction on the target: all pages or none
        method = "sqlite3 backup API"
    else:
        if not magic.startswith(PG_CUSTOM_MAGIC):
            raise BackupError(f"{path}: not a pg_dump -Fc backup (made from SQLite?)")
        args = ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(path)]
        _run_pg("pg_restore", url, args)
        method = "pg_restore"
    return BackupResult(path, path.stat().st_size, method)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def _sqlite(url: URL) -> sqlite3.Connection:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return sqlite3.connect(url.database, timeout=30)


def _run_pg(tool: str, url: URL, args: list[str]) -> None:
    """Run pg_dump/pg_restore against `url`; the password goes by environment, never argv."""
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(f"{tool} is not installed (apt-get install postgresql-client)")
    env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = [f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}"]
    if url.username:
        target.append(f"--username={url.username}")
    target.append(f"--dbname={url.database}")
    try:
        done = subprocess.run(
            [binary, "--no-password", *target, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=PG_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{tool} did not finish within {PG_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {_last_line(done.stderr)}")


def _last_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return re.sub(r"password=\S+", "password=***", lines[-1]) if lines else "no output"


def tool_version(tool: str) -> str:
    """Return the installed pg_dump/pg_restore version ("15.20"), or "" when it is missing."""
    binary = shutil.which(tool)
    if binary is None:
        return ""
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+(?:\.\d+)?)", output.stdout)
    return match.group(1) if match else ""
