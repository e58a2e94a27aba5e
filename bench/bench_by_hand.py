"""3. By hand: the same work the way a user would write it, against listener end to end.

pandas ``read_json(lines=True)``, VADER ``polarity_scores`` applied to every
text, ``to_sql`` into SQLite. No topic matching, no language handling, no
deduplication. Figure: how many times faster listener is; target >= 1.5.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.bench_end_to_end import listener_figure
from bench.common import Context, Result, check, cpu_timed

TARGET = 1.5


def by_hand(path: Path, db_path: Path) -> int:
    import pandas as pd
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    frame = pd.read_json(path, lines=True, dtype={"id": str})
    # The fast idiom (not .apply(pd.Series), which would triple the baseline's time).
    scores = pd.DataFrame.from_records(frame["text"].map(analyzer.polarity_scores).tolist(), index=frame.index)
    frame = frame.join(scores)
    connection = sqlite3.connect(db_path)
    frame.to_sql("mentions", connection, index=False, if_exists="replace", chunksize=10_000)
    connection.close()
    return len(frame)


def run(ctx: Context) -> list[Result]:
    path = ctx.corpus()
    db_path = ctx.work / "by-hand.db"
    base_seconds, base_cpu, count = cpu_timed(lambda: by_hand(path, db_path))
    db_path.unlink(missing_ok=True)
    total, *_, cpu = listener_figure(ctx)
    ratio = base_seconds / total
    return [check(Result(
        "by_hand", f"pandas+VADER+to_sql vs listener, {count:,} mentions ({ctx.backend})", count / total,
        "mentions/s", baseline=count / base_seconds, baseline_name="pandas read_json/apply/to_sql",
        ratio=ratio, target=f"ratio >= {TARGET}", note=f"{total:.1f} s vs {base_seconds:.1f} s; CPU {cpu:.1f} s vs {base_cpu:.1f} s",
    ), ratio >= TARGET)]
