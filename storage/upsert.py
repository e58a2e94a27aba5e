"""Dialect-aware ``INSERT … ON CONFLICT``: the one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(connection: Connection, table: Table):
    """An INSERT with ``on_conflict_do_update/do_nothing`` for the connection's dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
