"""Planner statistics after bulk writes: the planner picks indexes and join orders from them.

SQLite keeps them in ``sqlite_stat1``, which only ``ANALYZE`` writes, and listener
is the only writer of its database: without statistics SQLite guesses, and on a
large history some of the digest's queries then read an index range far wider
than the week. PostgreSQL's autovacuum analyzes a table once about a tenth of it
changed, but in its own time (a minute or more after a bulk load); its manual
says to run ``ANALYZE`` after loading a lot of data, so a run that changed that
much analyzes those tables itself.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

# Rows sampled per index: an approximate ANALYZE whose cost is bounded whatever the
# history's size (about 30 ms on a 1,000,000-mention database), as SQLite recommends
# for applications that analyze routinely (https://sqlite.org/lang_analyze.html).
ANALYSIS_LIMIT = 1000

# autovacuum's own default trigger (autovacuum_analyze_threshold + _scale_factor * rows)
_STALE_TABLES = """
SELECT relname FROM pg_stat_user_tables
WHERE schemaname = current_schema() AND n_mod_since_analyze > 50 + 0.1 * n_live_tup
"""


def refresh(engine: Engine) -> None:
    """Bring the statistics up to date after a run that wrote mentions or scores."""
    with engine.begin() as connection:
        analyze(connection)


def analyze(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        connection.exec_driver_sql("ANALYZE")
    elif connection.dialect.name == "postgresql":
        for (table,) in connection.exec_driver_sql(_STALE_TABLES).all():
            connection.exec_driver_sql(f'ANALYZE "{table}"')
