"""4. Incremental: a daily run (import + score 10,000 new mentions) on a big history vs on an empty database.

Three consecutive days, each 10,000 new mentions: on a copy of the cached history
(``bench/out/history-<size>-s<seed>.db``) one after the other, as a daily cron
would, and each on a fresh empty database; the best run of each side is
compared. Target: big / empty <= 1.2 — the cost of a daily run grows with new
mentions, not with history.
"""

from __future__ import annotations

from datetime import timedelta

from bench import bigdb, corpus
from bench.common import Context, Result, check, copy_sqlite, cpu_timed, database, make_config

TARGET = 1.2
# Days run on each side, and the best of each compared: on a shared machine a run is slowed
# by whatever else runs (never sped up), so the fastest is the closest to the work's own cost.
DAYS = 3


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
    days = [corpus.cached(bigdb.OUT, ctx.daily, seed=ctx.seed + 1 + day, days=1,
                          end=corpus.END + timedelta(days=1 + day), first_id=10 * ctx.big + 1 + day * ctx.daily,
                          name="daily") for day in range(DAYS)]
    with database(ctx, "warmup") as url:  # untimed: imports, statement caches, the scoring pool's first start
        daily_run(url, days[0])
    empty_runs = []
    for daily in days:
        with database(ctx, "empty") as url:
            empty_runs.append(daily_run(url, daily))
    if ctx.postgres_url:  # the run's own history database; this benchmark runs last on it
        big_runs = [daily_run(bigdb.history_url(ctx), daily) for daily in days]
    else:
        with database(ctx, "history") as url:
            copy_sqlite(bigdb.sqlite_path(ctx), ctx.work / url.rsplit("/", 1)[1])
            big_runs = [daily_run(url, daily) for daily in days]
    big, big_import, big_score, big_cpu = min(big_runs)
    empty, empty_import, empty_score, empty_cpu = min(empty_runs)
    ratio = big / empty
    return [check(Result(
        "incremental", f"daily {ctx.daily:,} on {ctx.big:,} history ({ctx.backend})", big, "s",
        baseline=empty, baseline_name="same run, empty database", ratio=ratio, target=f"ratio <= {TARGET}",
        note=(f"best of {DAYS} consecutive days each ({_seconds(big_runs)} s vs {_seconds(empty_runs)} s); "
              f"best: import {big_import:.1f}+score {big_score:.1f} s vs "
              f"import {empty_import:.1f}+score {empty_score:.1f} s; CPU {big_cpu:.1f} s vs {empty_cpu:.1f} s "
              f"(ratio {big_cpu / empty_cpu:.2f})"),
    ), ratio <= TARGET)]


def _seconds(runs: list[tuple[float, float, float, float]]) -> str:
    return ", ".join(f"{run[0]:.2f}" for run in runs)
