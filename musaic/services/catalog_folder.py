"""Import a folder of catalog files: one transaction per file, lookups shared between them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from musaic.catalog.importers.files import Progress, folder_files
from musaic.catalog.importers.records import ImportFormatError, UnknownFormatError
from musaic.catalog.search import index_tracks
from musaic.extensions import db
from musaic.models.statistics import refresh_statistics
from musaic.services.catalog import ImportSummary, SharedImport, import_file


@dataclass
class FolderSummary:
    """What `import_folder` did: a summary per imported file, the files it refused or left."""

    summaries: list[ImportSummary] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)  # broken: worth a look
    unrecognised: list[Path] = field(default_factory=list)  # in no format Musaic reads


def import_folder(
    folder: Path,
    *,
    strict: bool = False,
    progress_for: Callable[[Path, int, int], Progress | None] | None = None,
    **options: Any,
) -> FolderSummary:
    """Import every visible file of `folder` (natural name order), each in its own transaction.

    A file in no format Musaic recognises (a PDF, a read-me) is left alone; one that cannot be
    imported is refused and the next one imported (with `strict`, the first refusal stops the
    run; the files before it stay imported). The catalog's lookups are loaded once for the
    folder, not once per file, and the search documents of tracks whose playlist counts changed
    are rebuilt once at the end (new and changed tracks are searchable as each file commits),
    so each file costs the same whether it comes first or last (about 1.2x one big file's rate:
    docs/index-and-eval.md, "Scale").
    `progress_for(path, n, total)` gives each file's byte progress callback; `options` go to
    `import_file`.
    """
    files = folder_files(folder)
    if not files:
        raise ImportFormatError(f"{folder}: the folder holds no files to import")
    result, shared = FolderSummary(), SharedImport()
    try:
        _import_each(files, result, shared, strict, progress_for, options)
    except BaseException:
        with suppress(Exception):  # the files before this one committed: refresh them too
            _finish(shared)
        raise
    _finish(shared)
    return result


def _import_each(
    files: list[Path],
    result: FolderSummary,
    shared: SharedImport,
    strict: bool,
    progress_for: Callable[[Path, int, int], Progress | None] | None,
    options: dict[str, Any],
) -> None:
    """Import the files in order into `result`, sharing `shared` between them."""
    for number, path in enumerate(files, 1):
        progress = progress_for(path, number, len(files)) if progress_for else None
        try:
            summary = import_file(
                path, strict=strict, progress=progress, analyze=False, shared=shared, **options
            )
        except UnknownFormatError:
            result.unrecognised.append(path)
        except ImportFormatError as exc:
            reason = exc.message if str(path) in exc.message else f"{path}: {exc.message}"
            if strict:
                raise type(exc)(reason, details=exc.details) from exc
            result.refused.append((path, reason))
        else:
            result.summaries.append(summary)


def _finish(shared: SharedImport) -> None:
    """Rebuild the deferred search documents and refresh the planner statistics, once."""
    if shared.recounted:
        index_tracks(shared.recounted)
        db.session.commit()
    refresh_statistics(db.session, vacuum=True)  # once for the folder, not after each file
