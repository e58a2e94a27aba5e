"""Planner statistics: SQLite picks its indexes and join order from ``sqlite_stat1``,
which only ``ANALYZE`` writes, and listener is the only writer of its database.

Without statistics SQLite guesses, and on a large history some of the digest's
queries then read an index range far wider than the week. PostgreSQL keeps its
own statistics (autovacuum's ANALYZE), so this is SQLite only.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

# Rows sampled per index: an approximate ANALYZE whose cost is bounded whatever the
# history's size (about 30 ms on a 1,000,000-mention database), as SQLite recommends
# for applications that analyze routinely (https://sqlite.org/lang_analyze.html).
ANALYSIS_LIMIT = 1000


def refresh(engine: Engine) -> None:
    """Re-sample the statistics after a run that wrote mentions (or built indexes)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        analyze(connection)


def analyze(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    connection.exec_driver_sql("ANALYZE")
