"""4. Incremental: a daily run (import + score 10,000 new mentions) on a big history vs on an empty database.

Same daily file both times; the history database is a copy of the cached one
(``bench/out/history-<size>-s<seed>.db``). Target: big / empty <= 1.2 — the cost
of a daily run grows with new mentions, not with history.
"""

from __future__ import annotations

from datetime import timedelta

from bench import bigdb, corpus
from bench.common import Context, Result, check, copy_sqlite, cpu_timed, database, make_config

TARGET = 1.2


def daily_run(url: str, path) -> tuple[float, float, float, float]:
    from listener.importer import import_file
    from listener.sentiment.pending import score_pending
    from storage import db

    engine = db.create(url)
    config = make_config(url)
    try:
        import_seconds, import_cpu, _ = cpu_timed(lambda: import_file(engine, config, path))
        score_seconds, score_cpu, _ = cpu_timed(lambda: score_pending(engine, config))
    finally:
        engine.dispose()
    return import_seconds + score_seconds, import_seconds, score_seconds, import_cpu + score_cpu


def run(ctx: Context) -> list[Result]:
    daily = corpus.cached(bigdb.OUT, ctx.daily, seed=ctx.seed + 1,
                          days=1, end=corpus.END + timedelta(days=1), first_id=10 * ctx.big + 1, name="daily")
    with database(ctx, "warmup") as url:  # untimed: imports, statement caches, the scoring pool's first start
        daily_run(url, daily)
    if ctx.postgres_url:  # the run's own history database; this benchmark runs last on it
        big, big_import, big_score, big_cpu = daily_run(bigdb.history_url(ctx), daily)
    else:
        with database(ctx, "history") as url:
            copy_sqlite(bigdb.sqlite_path(ctx), ctx.work / url.rsplit("/", 1)[1])
            big, big_import, big_score, big_cpu = daily_run(url, daily)
    with database(ctx, "empty") as url:
        empty, empty_import, empty_score, empty_cpu = daily_run(url, daily)
    ratio = big / empty
    return [check(Result(
        "incremental", f"daily {ctx.daily:,} on {ctx.big:,} history ({ctx.backend})", big, "s",
        baseline=empty, baseline_name="same run, empty database", ratio=ratio, target=f"ratio <= {TARGET}",
        note=(f"import {big_import:.1f}+score {big_score:.1f} s vs "
              f"import {empty_import:.1f}+score {empty_score:.1f} s; CPU {big_cpu:.1f} s vs {empty_cpu:.1f} s "
              f"(ratio {big_cpu / empty_cpu:.2f})"),
    ), ratio <= TARGET)]
