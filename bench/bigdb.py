"""The big history database (1,000,000 mentions by default) that several benchmarks share.

Built once through listener itself (import, then score) and cached under
``bench/out/`` keyed by size and seed; on PostgreSQL it is built in the run's
own fresh database each time (nothing is cached on a server).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import corpus
from bench.common import OUT, Context, database, make_config

BIG_DAYS = 90


def big_corpus(ctx: Context) -> Path:
    return corpus.cached(OUT, ctx.big, seed=ctx.seed, days=BIG_DAYS, name="history")


def fill(ctx: Context, url: str) -> float:
    """Import and score the big corpus into ``url``; seconds taken."""
    from listener.importer import import_file
    from listener.sentiment.pending import score_pending
    from storage import db, statistics

    path = big_corpus(ctx)
    started = time.perf_counter()
    engine = db.create(url)
    config = make_config(url)
    try:
        ctx.log(f"  building the {ctx.big:,}-mention history database ({ctx.backend})")
        import_file(engine, config, path)
        score_pending(engine, config)
        statistics.refresh(engine)  # as `listener import` leaves a database: sampled statistics
    finally:
        engine.dispose()
    return time.perf_counter() - started


def sqlite_path(ctx: Context) -> Path:
    """The cached SQLite history database, built on first use."""
    path = OUT / f"history-{ctx.big}-s{ctx.seed}.db"
    if not path.exists():
        tmp = path.with_suffix(".building.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        seconds = fill(ctx, f"sqlite:///{tmp}")
        import sqlite3

        connection = sqlite3.connect(tmp)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        tmp.replace(path)
        ctx.log(f"  built {path.name} in {seconds:.0f} s")
    key = ("history-upgraded", path)
    if key not in ctx.shared:  # a cache built by older code gets the newer migrations (indexes)
        from storage import db

        db.create(f"sqlite:///{path}").dispose()
        ctx.shared[key] = True
    return path


def history_url(ctx: Context) -> str:
    """The big history database of this run: the cached SQLite file, or one PostgreSQL
    database built on first use and dropped when the run ends."""
    if not ctx.postgres_url:
        return f"sqlite:///{sqlite_path(ctx)}"
    key = ("history", ctx.big)
    if key not in ctx.shared:
        url = ctx.stack.enter_context(database(ctx, "history"))
        seconds = fill(ctx, url)
        ctx.log(f"  built the PostgreSQL history database in {seconds:.0f} s")
        ctx.shared[key] = url
    return ctx.shared[key]
