"""Run the benchmark suite and print every figure beside its baseline.

    python bench/run.py                      # everything, 200,000-mention corpus, 1,000,000 history
    python bench/run.py --size 20000 --big 100000      # a quick run
    python bench/run.py --only ingest --only query
    python bench/run.py --postgres           # on PostgreSQL ($LISTENER_TEST_POSTGRES_URL, or --postgres-url)

Each baseline is measured in the same run, on the same data, side by side, so
the ratios mean something on a busy machine even when the absolute figures
do not.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, Context, Result

BENCHMARKS = ("ingest", "end_to_end", "by_hand", "scoring", "collect", "serve", "query", "digest", "incremental")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def table(results: list[Result]) -> str:
    def number(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"

    header = ("figure", "value", "baseline", "ratio", "target", "")
    rows = [header]
    for r in results:
        verdict = {True: "PASS", False: "MISS", None: ""}[r.passed]
        rows.append((f"{r.bench}: {r.figure}", f"{number(r.value)} {r.unit}",
                     f"{number(r.baseline)} ({r.baseline_name})" if r.baseline is not None else "",
                     number(r.ratio), r.target, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"  {r.bench}: {r.figure}: {r.note}" for r in results if r.note]
    return "\n".join([*lines, "", "notes:", *notes])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200_000, help="corpus for ingest / end to end / by hand")
    parser.add_argument("--big", type=int, default=1_000_000, help="history for incremental / digest / query")
    parser.add_argument("--daily", type=int, default=10_000, help="mentions added by the incremental run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only this one (repeatable)")
    parser.add_argument("--postgres", action="store_true", help="run on PostgreSQL, in fresh databases dropped after")
    parser.add_argument("--postgres-url", help=f"server URL (default $LISTENER_TEST_POSTGRES_URL or {DEFAULT_PG})")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite databases of the run")
    args = parser.parse_args()

    postgres_url = args.postgres_url or (os.environ.get("LISTENER_TEST_POSTGRES_URL") if args.postgres else None)
    if args.postgres and not postgres_url:
        postgres_url = DEFAULT_PG
    ctx = Context(size=args.size, big=args.big, daily=args.daily, seed=args.seed, postgres_url=postgres_url,
                  keep=args.keep, log=lambda message: print(message, file=sys.stderr, flush=True))
    results: list[Result] = []
    started = time.perf_counter()
    ctx.log(f"corpus {args.size:,}, history {args.big:,}, daily {args.daily:,}, backend {ctx.backend}, "
            f"{os.cpu_count()} cores, work dir {ctx.work}")
    try:
        for name in args.only or BENCHMARKS:
            ctx.log(f"{name} …")
            began = time.perf_counter()
            try:
                found = importlib.import_module(f"bench.bench_{name}").run(ctx)
            except Exception as error:  # one broken benchmark must not hide the others' figures
                traceback.print_exc()
                found = [Result(name, "did not run", float("nan"), "", passed=False,
                                note=f"{type(error).__name__}: {error}")]
            for result in found:
                ctx.log(f"  {result.figure}: {result.value:,.2f} {result.unit}"
                        + (f", ratio {result.ratio:.2f}" if result.ratio is not None else ""))
            ctx.log(f"  ({time.perf_counter() - began:.0f} s)")
            results.extend(found)
    finally:
        ctx.stack.close()
    print(table(results))
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = OUT / f"results-{ctx.backend}-{args.size}-{args.big}-{stamp}.json"
    report.write_text(json.dumps({"args": vars(args), "seconds": time.perf_counter() - started,
                                  "results": [asdict(r) for r in results]}, indent=1), encoding="utf-8")
    print(f"\n({time.perf_counter() - started:.0f} s; results saved to {report})")
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
