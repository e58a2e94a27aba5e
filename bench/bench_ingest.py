"""1. Ingest: parse, match and store JSON Lines, against a bare ``sqlite3`` ``executemany``.

The baseline reads the same file with ``json.loads`` and inserts the same rows
into listener's own schema (the same tables and indexes, migrated by
``storage.db``) with the full-text table and its triggers dropped: no
matching, no authors, no stories, one transaction (the text hash, which the
schema requires, is computed). Target: listener at least
0.5 of its rate.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from bench.common import Context, Result, check, cpu_timed, database, make_config

COLUMNS = ("source", "external_id", "created_at", "collected_at", "author", "author_followers", "text",
           "title", "url", "lang", "likes", "reposts", "replies", "views", "is_repost", "is_reply",
           "parent_id", "text_hash", "story_key", "raw")
TARGET = 0.5
FTS_DROP = ("DROP TRIGGER IF EXISTS mentions_fts_insert", "DROP TRIGGER IF EXISTS mentions_fts_update",
            "DROP TRIGGER IF EXISTS mentions_fts_delete", "DROP TABLE IF EXISTS mentions_fts")


def schema_without_fts(db_path: Path) -> None:
    """listener's schema, as migrated, minus the full-text index (untimed)."""
    from storage import db

    db.create(f"sqlite:///{db_path}").dispose()
    connection = sqlite3.connect(db_path)
    with connection:
        for statement in FTS_DROP:
            connection.execute(statement)
    connection.close()


def bare_sqlite(path: Path, db_path: Path) -> int:
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")  # as listener opens it
    connection.execute("PRAGMA synchronous=NORMAL")
    placeholders = ", ".join("?" * len(COLUMNS))
    insert = f"INSERT INTO mentions ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    count = 0
    with path.open("rb") as handle, connection:
        batch = []
        for line in handle:
            r = json.loads(line)
            batch.append((r["source"], r["id"], r["created_at"], r["created_at"], r.get("author"),
                          r.get("author_followers"), r["text"], r.get("title"), r.get("url"), r.get("lang"),
                          r.get("likes"), r.get("reposts"), r.get("replies"), r.get("views"),
                          bool(r.get("is_repost")), bool(r.get("is_reply")), r.get("parent_id"),
                          hashlib.blake2b(r["text"].encode(), digest_size=16).hexdigest(), None, None))
            if len(batch) >= 2000:
                connection.executemany(insert, batch)
                count += len(batch)
                batch.clear()
        connection.executemany(insert, batch)
        count += len(batch)
    connection.close()
    return count


def listener_import(url: str, path: Path):
    from listener.importer import import_file
    from storage import db

    engine = db.create(url)  # migrations are not part of the figure
    try:
        seconds, cpu, report = cpu_timed(lambda: import_file(engine, make_config(url), path))
    finally:
        engine.dispose()
    return seconds, cpu, report


def run(ctx: Context) -> list[Result]:
    path = ctx.corpus()
    base_db = ctx.work / "bare-ingest.db"
    schema_without_fts(base_db)
    base_seconds, base_cpu, count = cpu_timed(lambda: bare_sqlite(path, base_db))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{base_db}{suffix}").unlink(missing_ok=True)
    with database(ctx, "ingest") as url:
        seconds, cpu, report = listener_import(url, path)
    assert report.records == count, (report.records, count)
    rate, base_rate = count / seconds, count / base_seconds
    return [check(Result(
        "ingest", f"import {count:,} mentions ({ctx.backend})", rate, "mentions/s",
        baseline=base_rate, baseline_name="bare sqlite3 executemany, same schema without FTS", ratio=rate / base_rate,
        target=f"ratio >= {TARGET}", note=f"{seconds:.1f} s vs {base_seconds:.1f} s; CPU {cpu:.1f} s vs {base_cpu:.1f} s (ratio {base_cpu / cpu:.2f})",
    ), rate / base_rate >= TARGET)]
