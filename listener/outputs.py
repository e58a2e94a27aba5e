"""Where an export may be written: never over listener's own files, never over a file by surprise."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

# SQLite keeps a database in up to four files; overwriting any of them corrupts it.
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class RefusedOutput(ValueError):
    """An output path that must not be written; the message says why and what to do."""


def protected(storage_url: str, config_file: Path | None) -> list[Path]:
    """listener's own files: the SQLite database (with its WAL, SHM and journal) and the config."""
    paths = [config_file] if config_file else []
    url = make_url(storage_url)
    database = url.database if url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:"):
        paths += [Path(database + suffix) for suffix in _SQLITE_COMPANIONS]
    return [path.expanduser().resolve() for path in paths]


def check_output(path: Path, protected_paths: list[Path], *, force: bool) -> None:
    """Raise RefusedOutput unless ``path`` may be (over)written.

    listener's own files are refused even with ``force``; any other existing file
    only with it.
    """
    target = path.expanduser().resolve()  # follows symlinks: a link to the database is the database
    if target in protected_paths:
        raise RefusedOutput(f"{path} is one of listener's own files (database or config); "
                            "choose another output file")
    if target.exists() and not force:
        raise RefusedOutput(f"{path} already exists; use --force to overwrite it, or choose another name")
