"""Many rows written through the DB-API cursor, converted as SQLAlchemy would convert them.

SQLAlchemy's per-row parameter handling costs more than the statement itself
when thousands of rows are written at once (a batch of mentions, their
matches, authors and scores). These helpers take the statement SQLAlchemy
compiles and the columns' own bind processors (dates, JSON, booleans stored
exactly as SQLAlchemy stores them), and hand the rows to the driver's
``executemany`` or multi-row statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime

_UNSEEN = object()


def bound_values(connection: Connection, table, names: list[str], rows: Sequence[Mapping[str, Any]]
                 ) -> list[list]:
    """Rows as DB-API parameter lists, converted by each column type's bind processor."""
    dialect = connection.dialect
    out = [list(row.values()) for row in rows]
    for index, name in enumerate(names):
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        # Values repeat (a batch's collection time, missing payloads, a mention's time
        # stored in mentions, matches and authors): each is converted once. Only None and
        # naive datetimes: equal ones of these convert alike (True == 1, and aware times
        # in two zones can be equal).
        memo = _converted_times(dialect.name) if isinstance(column_type, DateTime) else {}
        for values in out:
            value = values[index]
            if value is None or (type(value) is datetime and value.tzinfo is None):
                converted = memo.get(value, _UNSEEN)
                if converted is _UNSEEN:
                    converted = memo[value] = process(value)
                values[index] = converted
            else:
                values[index] = process(value)
    return out


_TIMES_REMEMBERED = 50_000  # ~10 MB at most: a batch of 10,000 has at most that many times
_times: dict[str, dict[datetime | None, Any]] = {}


def _converted_times(dialect: str) -> dict[datetime | None, Any]:
    """The DateTime bind processor's results on this dialect, shared by every table and batch."""
    memo = _times.setdefault(dialect, {})
    if len(memo) > _TIMES_REMEMBERED:
        memo.clear()
    return memo


def execute_many(connection: Connection, statement, table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``statement`` once per row through the DB-API cursor's ``executemany``.

    The values go through their columns' bind processors, as SQLAlchemy would
    convert them, but skip its per-row parameter handling, which costs more than
    the statement itself on a batch of thousands.
    """
    names = list(rows[0])
    compiled = statement.compile(dialect=connection.dialect, column_keys=names)
    values = bound_values(connection, table, names, rows)
    order = compiled.positiontup  # positional paramstyles (SQLite's ?): bind names in order
    if order is not None:
        at = {name: index for index, name in enumerate(names)}
        if order != names:
            picks = [at[name] for name in order]
            values = [[row[i] for i in picks] for row in values]
        parameters: list = values
    else:  # named paramstyles (psycopg's %(name)s)
        parameters = [dict(zip(names, row, strict=True)) for row in values]
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection in use holds its DB-API connection
    cursor = driver.cursor()
    try:
        cursor.executemany(compiled.string, parameters)
    finally:
        cursor.close()
