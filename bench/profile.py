"""Profile the import+score path, scoring or the weekly digest with pyinstrument; print the heaviest frames.

    python bench/profile.py import_score --size 20000      # a fresh SQLite database
    python bench/profile.py scoring --size 100000          # bench_scoring's corpus row, one process
    python bench/profile.py digest --big 1000000           # the cached history database
    python bench/profile.py import_score --html out.html   # the whole tree, in a browser

Scoring workers run in other processes, which pyinstrument does not see: the
profile of ``import_score`` is the parent's critical path (reading, matching,
storing, waiting for scores, writing them). ``--workers 1`` scores in-process.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bigdb
from bench.bench_digest import WEEK
from bench.common import Context, config_dict, database, make_config


def import_score(ctx: Context, workers: int | None) -> None:
    from listener.importer import import_file
    from listener.sentiment.pending import score_pending
    from storage import db

    with database(ctx, "profile") as url:
        engine = db.create(url)
        config = make_config(url, **({"scoring": {"workers": workers}} if workers else {}))
        import_file(engine, config, ctx.corpus())
        score_pending(engine, config)
        engine.dispose()


def digest(ctx: Context, _workers: int | None) -> None:
    """The digest's reads on one connection, then its rendering: every read in one profile
    (``listener digest`` runs about half of them in a forked child, which pyinstrument
    does not see)."""
    from listener.analysis.period import week_of
    from listener.config import validate
    from listener.digest import build_digest
    from reports.render import render
    from storage import db

    url = bigdb.history_url(ctx)
    config = validate(config_dict(url, digests=[{"name": "weekly", "recipients": ["boss@example.com"],
                                                 "topics": [t["name"] for t in bigdb.corpus.TOPICS]}]))
    engine = db.create(url)
    with engine.connect() as connection:
        render(build_digest(connection, config, config.digests[0], week_of(WEEK)))
    engine.dispose()


def scoring_texts(ctx: Context) -> tuple[list[str], list, list]:
    """bench_scoring's corpus row: texts, platform tags, topic terms; the models loaded."""
    from bench.bench_scoring import RUN_TEXTS, corpus_texts, ours, topic_terms

    texts, tags = corpus_texts(ctx.corpus(), min(ctx.size, RUN_TEXTS))
    terms = topic_terms(texts)
    ours(texts[:100], 1, tags[:100], terms[:100])  # loads every model outside the profile
    return texts, tags, terms


def scoring(ctx: Context, _workers: int | None) -> None:
    from bench.bench_scoring import ours

    texts, tags, terms = ctx.shared["scoring"]
    ours(texts, 1, tags, terms)


def heaviest(session, top: int) -> list[tuple[str, float]]:
    """Self time per function (summed over the tree), the flame graph's widest leaves."""
    totals: Counter[str] = Counter()

    def walk(frame) -> None:
        for child in frame.children:
            walk(child)
        if not frame.children:  # a leaf: "[self]" stands for its parent's own time
            owner = frame.parent if frame.function == "[self]" and frame.parent else frame
            where = f"{Path(owner.file_path_short or '?').name}:{owner.line_no}"
            totals[f"{owner.function} ({where})"] += frame.time
    walk(session.root_frame())
    return totals.most_common(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("import_score", "scoring", "digest"))
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--tree", action="store_true", help="print the call tree too")
    parser.add_argument("--html", type=Path, help="write the whole profile here")
    args = parser.parse_args()
    from pyinstrument import Profiler

    ctx = Context(size=args.size, big=args.big, log=lambda message: print(message, file=sys.stderr))
    work = {"import_score": import_score, "scoring": scoring, "digest": digest}[args.what]
    if args.what == "digest":
        bigdb.history_url(ctx)  # built (once) outside the profile
    if args.what == "scoring":
        ctx.shared["scoring"] = scoring_texts(ctx)
    profiler = Profiler(interval=0.001)
    with profiler:
        work(ctx, args.workers)
    session = profiler.last_session
    print(f"{args.what}: {session.duration:.2f} s wall, {session.cpu_time:.2f} s CPU in this process")
    for name, seconds in heaviest(session, args.top):
        print(f"  {seconds:6.2f} s  {seconds / session.duration:5.1%}  {name}")
    if args.tree:
        print(profiler.output_text(unicode=True, show_all=False, short_mode=False))
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")


if __name__ == "__main__":
    main()
