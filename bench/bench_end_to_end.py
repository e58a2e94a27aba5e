"""2. End to end: import, match, store, detect language and score, against a bare VADER loop.

The baseline reads the same file and scores every text with one
``SentimentIntensityAnalyzer`` in one process (no storage at all). listener
stores everything too (``listener import``, learned model), scoring each distinct
(masked text, language) once, in a second process while the importer stores. Target: baseline time / listener time >= 1.5.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import Context, Result, check, cpu_timed, database, make_config

TARGET = 1.5


def bare_vader(path: Path) -> int:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            analyzer.polarity_scores(json.loads(line)["text"])
            count += 1
    return count


def listener_end_to_end(url: str, path: Path) -> tuple[float, object, float]:
    """(seconds, score report, CPU seconds incl. workers) of ``listener import`` on a fresh database.

    ``operations.import_file`` is what the command runs: it scores alongside the import
    (a second process scores the stored batches while the importer stores the next).
    """
    from listener.operations import import_file
    from storage import db

    db.create(url).dispose()  # the schema is not the figure
    config = make_config(url, scoring={"model": "learned"})
    seconds, cpu, outcome = cpu_timed(lambda: import_file(config, path))
    return seconds, outcome.score, cpu


def listener_figure(ctx: Context) -> tuple[float, object, float]:
    """Shared with the by-hand benchmark: measured once per run."""
    key = ("end_to_end", ctx.size, ctx.backend)
    if key not in ctx.shared:
        with database(ctx, "e2e") as url:
            ctx.shared[key] = listener_end_to_end(url, ctx.corpus())
    return ctx.shared[key]


def run(ctx: Context) -> list[Result]:
    path = ctx.corpus()
    base_seconds, base_cpu, count = cpu_timed(lambda: bare_vader(path))
    total, report, cpu = listener_figure(ctx)
    ratio = base_seconds / total
    return [check(Result(
        "end_to_end", f"import+score {count:,} mentions ({ctx.backend})", count / total, "mentions/s",
        baseline=count / base_seconds, baseline_name="bare single-process VADER loop", ratio=ratio,
        target=f"ratio >= {TARGET}",
        note=(f"{total:.1f} s (import with scoring alongside) vs "
              f"{base_seconds:.1f} s; {report.distinct:,} distinct texts scored, "
              f"{report.unscored:,} unscored (es/de/und); CPU {cpu:.1f} s (workers included) vs "
              f"{base_cpu:.1f} s"),
    ), ratio >= TARGET)]
