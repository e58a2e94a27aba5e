"""5. Digest for one week on the big history database: time and peak memory.

The digest is built and written (HTML, text, .eml, charts) by
``listener.digest.write_digests`` in a child process, so its peak RSS is its
own (``VmHWM`` read by the child; ``os.wait4``'s ``ru_maxrss`` as a fallback);
the child forks the digest's second reader, whose CPU and peak are reported
beside. Reference baseline: the week's per-topic, per-day, per-label counts as
one bare SQL query. Targets: under 1 s, under 250 MB.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench import bigdb, corpus
from bench.common import PYTHON, ROOT, Context, Result, check, config_dict, run_child, timed

TARGET_SECONDS = 1.0
TARGET_MB = 250
WEEK = (corpus.END - timedelta(days=7)).date()  # the last full week of the history


def child(url: str, out_dir: str) -> None:
    """In the child: build and write the week's digest; print the seconds it took."""
    import os
    import resource

    started = time.perf_counter()
    from listener.analysis.period import week_of
    from listener.config import validate
    from listener.digest import build_digest, write_digests
    from storage import db

    config = validate(config_dict(url, digests=[{
        "name": "weekly", "recipients": ["boss@example.com"], "topics": [t["name"] for t in corpus.TOPICS],
    }]))
    engine = db.create(url)
    imported, cpu, times = time.perf_counter(), time.process_time(), os.times()
    paths = write_digests(engine, config, week_of(WEEK), Path(out_dir))
    done, cpu, after = time.perf_counter(), time.process_time() - cpu, os.times()
    forked_cpu = (after.children_user - times.children_user) + (after.children_system - times.children_system)
    forked_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    with engine.connect() as connection:  # on one connection, warm, for reference
        build_digest(connection, config, config.digests[0], week_of(WEEK))
    queries = time.perf_counter() - done
    print(json.dumps({"build": done - imported, "cpu": cpu, "forked_cpu": forked_cpu, "queries": queries,
                      "imports": imported - started, "files": len(paths), "peak": _own_peak(),
                      "forked_peak": forked_peak}))


def _own_peak() -> int | None:
    """This process's own peak RSS in bytes (VmHWM), or None off Linux.

    Not ``ru_maxrss``: Linux carries the peak of the forked copy of the parent
    over ``exec``, so a child of a big parent would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def bare_week_counts(url: str) -> int:
    from sqlalchemy import text

    from storage import db

    engine = db.create(url, upgrade=False)
    start = WEEK - timedelta(days=WEEK.isoweekday() - 1)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT x.topic_id, date(x.created_at), s.label, count(*) FROM matches x "
            "LEFT JOIN scores s ON s.mention_id = x.mention_id "
            "WHERE x.created_at >= :start AND x.created_at < :end GROUP BY 1, 2, 3"
        ), {"start": str(start), "end": str(start + timedelta(days=7))}).all()
    engine.dispose()
    return len(rows)


def measure(ctx: Context, url: str) -> list[Result]:
    base_seconds, _ = timed(lambda: bare_week_counts(url))
    out_dir = ctx.work / "digest"
    wall, peak, stdout, stderr, code = run_child(
        [PYTHON, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.bench_digest import child; "
                       f"child({url!r}, {str(out_dir)!r})"])
    if code != 0:
        return [Result("digest", "weekly digest", float("nan"), "s", target=f"< {TARGET_SECONDS} s",
                       passed=False, note=f"child failed: {stderr.strip().splitlines()[-1:]}")]
    figures = json.loads(stdout.strip().splitlines()[-1])
    seconds, mb = figures["build"], (figures["peak"] or peak) / 2**20
    return [
        check(Result("digest", f"weekly digest on {ctx.big:,} ({ctx.backend})", seconds, "s",
                     baseline=base_seconds, baseline_name="one bare SQL group-by of the week",
                     ratio=seconds / base_seconds, target=f"< {TARGET_SECONDS} s",
                     note=(f"write_digests (queries on both cores, charts, HTML/text/.eml), CPU "
                           f"{figures['cpu']:.2f} s here + {figures['forked_cpu']:.2f} s in the forked reader; "
                           f"build_digest on one connection {figures['queries']:.2f} s warm; "
                           f"child wall {wall:.1f} s incl. {figures['imports']:.1f} s imports")),
              seconds < TARGET_SECONDS),
        check(Result("digest", f"digest peak RSS ({ctx.backend})", mb, "MB", target=f"< {TARGET_MB} MB",
                     note=f"whole child process, imports included (ru_maxrss via wait4: {peak / 2**20:,.0f} MB, "
                          "which on Linux includes the parent's size at fork); the digest's forked reader "
                          f"peaked at {figures['forked_peak'] / 2**20:,.0f} MB, most of it pages shared with "
                          "the process it was forked from"), mb < TARGET_MB),
    ]


def run(ctx: Context) -> list[Result]:
    return measure(ctx, bigdb.history_url(ctx))  # writes files only, so the database is used in place


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
