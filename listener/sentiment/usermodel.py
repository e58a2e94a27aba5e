"""Where a user's adapted models live: beside the database, one directory per training.

``listener train`` writes ``<database folder>/models/<name>-<UTC time>/``; the
newest one is picked up automatically (``score --rescore`` then applies it)
unless ``[scoring] model_path`` names one. Earlier models stay where they are,
so going back is setting ``model_path``. The shipped model is never written.
For a database that is not a local file (PostgreSQL), set ``model_path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

FOLDER = "models"


def models_dir(storage_url: str) -> Path | None:
    """``<database folder>/models`` for a SQLite file database, else None."""
    url = make_url(storage_url)
    database = url.database if url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve().parent / FOLDER


def newest(storage_url: str) -> Path | None:
    """The newest model ``listener train`` saved next to the database (None: none yet)."""
    folder = models_dir(storage_url)
    if folder is None or not folder.is_dir():
        return None
    found = sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))
    return found[-1] if found else None


def model_path(config: Any) -> Path | None:
    """The learned model a config asks for: ``[scoring] model_path``, else the newest user model."""
    scoring = getattr(config, "scoring", config)
    if scoring is not None and getattr(scoring, "model_path", None):
        return Path(scoring.model_path)
    storage = getattr(config, "storage", None)
    return newest(storage.url) if storage is not None else None
