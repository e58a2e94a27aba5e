"""Does the database hold the tables and columns its recorded revision promises?

A column dropped by hand (or a restore of one table from an older backup)
leaves ``alembic_version`` at the head, so migrations have nothing to do and
the first query fails with a raw driver error. One catalogue query on open
finds it instead, and says what to run to repair it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.schema import CreateColumn

from storage.schema import metadata

_COLUMNS_SQL = {
    "sqlite": "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p "
              "WHERE m.type = 'table'",
    "postgresql": "SELECT table_name, column_name FROM information_schema.columns "
                  "WHERE table_schema = current_schema()",
}


def missing(connection: Connection) -> dict[str, list[str]]:
    """``{table: [missing columns]}`` (every column when the table itself is missing)."""
    sql = _COLUMNS_SQL.get(connection.dialect.name)
    if sql is None:  # another backend: trust the recorded revision
        return {}
    present: dict[str, set[str]] = {}
    for table, column in connection.execute(text(sql)):
        present.setdefault(table, set()).add(column)
    found = {}
    for table in metadata.sorted_tables:
        lacking = [c.name for c in table.columns if c.name not in present.get(table.name, set())]
        if lacking:
            found[table.name] = lacking
    return found


def repairs(connection: Connection, lacking: dict[str, list[str]]) -> list[str]:
    """SQL that re-creates what is missing (empty columns: their data is gone)."""
    statements = []
    for table_name, columns in lacking.items():
        table = metadata.tables[table_name]
        if len(columns) == len(table.columns):
            statements.append(f"-- table {table_name} is missing: restore it from a backup")
            continue
        for name in columns:
            column = CreateColumn(table.c[name]).compile(dialect=connection.dialect)
            statements.append(f"ALTER TABLE {table_name} ADD COLUMN {column};")
    return statements
