"""Many rows written through the DB-API cursor, converted as SQLAlchemy would convert them.

SQLAlchemy's per-row parameter handling costs more than the statement itself
when thousands of rows are written at once (a batch of mentions, their
matches, authors and scores). These helpers take the statement SQLAlchemy
compiles and the columns' own bind processors (dates, JSON, booleans stored
exactly as SQLAlchemy stores them), and hand the rows to the driver's
``executemany`` or multi-row statements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, MetaData, Table, select

from storage.upsert import insert

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


def upsert_many(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
                on_conflict: Callable[[Any], Any]) -> None:
    """``INSERT … ON CONFLICT`` of every row; ``on_conflict`` adds the clause to the insert it is given.

    SQLite: one ``executemany``. PostgreSQL: the rows are ``COPY``'d into a temporary
    table and inserted from it by one statement (a round trip per row, even
    pipelined, cost more than the rows' own work on the server). The rows must not
    repeat a conflict key: PostgreSQL refuses to update one row twice in a statement.
    """
    if connection.dialect.name != "postgresql":
        execute_many(connection, on_conflict(insert(connection, table)), table, rows)
        return
    names = list(rows[0])
    incoming = copy_to_temporary(connection, table, names, rows)
    twin = Table(incoming, MetaData(), *(Column(name, table.c[name].type) for name in names))
    connection.execute(on_conflict(insert(connection, table).from_select(names, select(*twin.c))))


def copy_to_temporary(connection: Connection, table: Table, names: list[str],
                      rows: Sequence[Mapping[str, Any]], *, numbered: bool = False) -> str:
    """PostgreSQL: ``rows`` (their ``names`` columns) ``COPY``'d into a temporary twin of
    ``table``; its name. With ``numbered``, an ``ordinal`` column holds each row's position.

    One twin per session and table (a table is always written with the same columns),
    emptied at every commit and before each use; the values go through the columns'
    bind processors (:func:`bound_values`).
    """
    incoming = f"{table.name}_incoming"
    ordinal = "0 AS ordinal, " if numbered else ""
    columns = ", ".join(["ordinal", *names] if numbered else names)
    values = bound_values(connection, table, names, rows)
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection in use holds its DB-API connection
    with driver.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {incoming} ON COMMIT DELETE ROWS AS "
                       f"SELECT {ordinal}{', '.join(names)} FROM {table.name} WITH NO DATA")
        cursor.execute(f"TRUNCATE {incoming}")
        with cursor.copy(f"COPY {incoming} ({columns}) FROM STDIN") as copy:
            for position, row in enumerate(values):
                copy.write_row([position, *row] if numbered else row)
    return incoming
