"""SQLite planner statistics: written by migrations and by every run that stores mentions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import text

from listener import operations
from listener.config import validate
from storage import db, statistics


def stat_rows(path: Path) -> dict[str, int]:
    """``{index name: rows SQLite believes its table holds}`` from sqlite_stat1."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'mentions'").fetchall()
    return {index: int(stat.split()[0]) for index, stat in rows if index}


def test_a_fresh_database_is_migrated_with_statistics_for_its_indexes(tmp_path):
    path = tmp_path / "listener.db"
    db.create(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "sqlite_stat1" in tables  # ANALYZE ran: the planner reads it from the first query on


def test_refresh_samples_a_bounded_number_of_rows_and_sees_the_table_grow(sqlite_engine):
    with sqlite_engine.begin() as connection:
        connection.execute(text(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
            "INSERT INTO mentions (source, external_id, created_at, collected_at, text, is_repost, is_reply, "
            "text_hash) SELECT 'x', i, '2026-11-01 00:00:00', '2026-11-01 00:00:00', 'hello ' || i, 0, 0, "
            "hex(i) FROM n"))
    statistics.refresh(sqlite_engine)
    path = Path(sqlite_engine.url.database)
    rows = stat_rows(path)
    assert rows, "ANALYZE wrote no statistics for the mentions' indexes"
    assert all(count >= 1000 for count in rows.values())  # sampled, yet it knows the table is large


def test_an_import_leaves_statistics_that_count_what_it_stored(tmp_path):
    path = tmp_path / "listener.db"
    data = tmp_path / "m.jsonl"
    data.write_text("".join(json.dumps({"source": "x", "id": str(i), "text": f"acme coffee {i}",
                                        "created_at": 1794823200 + i}) + "\n" for i in range(1500)),
                    encoding="utf-8")
    config = validate({"storage": {"url": f"sqlite:///{path}"}, "scoring": {"workers": 1},
                       "topics": [{"name": "Acme", "kind": "brand", "query": '"acme coffee"'}]})
    operations.import_file(config, data)
    assert stat_rows(path) and min(stat_rows(path).values()) >= 1000


def test_a_bulk_load_is_analyzed_on_either_backend_and_a_small_change_is_left_to_autovacuum(engine):
    rows = [{"source": "x", "handle": f"user{i}", "first_seen": "2026-11-01 00:00:00",
             "last_seen": "2026-11-01 00:00:00"} for i in range(500)]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO authors (source, handle, first_seen, last_seen) "
                                "VALUES (:source, :handle, :first_seen, :last_seen)"), rows)
        _counted_at_commit(connection)
    statistics.refresh(engine)
    assert _analyzed_rows(engine, "authors") == 500
    if engine.dialect.name == "postgresql":  # a few more rows: below autovacuum's threshold, not analyzed
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO authors (source, handle, first_seen, last_seen) "
                                    "VALUES ('x', 'late', '2026-11-02 00:00:00', '2026-11-02 00:00:00')"))
            _counted_at_commit(connection)
        statistics.refresh(engine)
        assert _analyzed_rows(engine, "authors") == 500


def _counted_at_commit(connection) -> None:
    """PostgreSQL: this session's row counts reach pg_stat_user_tables as it commits (not up to
    a second later, as they would otherwise)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_stat_force_next_flush()"))


def _analyzed_rows(engine, table: str) -> int:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            stat = connection.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}).scalar()
            return int(str(stat).split()[0])
        return int(connection.execute(text(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).scalar_one())
