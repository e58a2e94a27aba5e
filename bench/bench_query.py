"""6. Query: ``listener mentions --search WORD --limit 50`` on the big history database.

Figure: in-process time to the first page (``iter_mentions``, 50 rows with
their topics), for a rare and a common word. Baseline for reference: the same
page as one bare SQL query. The whole CLI invocation (process start, imports,
config, table output) is reported too. Target: first page under 100 ms.
"""

from __future__ import annotations

import time
from itertools import islice
from pathlib import Path

from bench import bigdb, corpus
from bench.common import PYTHON, Context, Result, check, run_child

LISTENER = str(Path(PYTHON).parent / "listener")

TARGET_MS = 100
WORDS = ("refund", "latte")  # a rarer and a commoner word of the corpus templates


def first_page(url: str, word: str) -> float:
    from storage import db
    from storage.queries import MentionQuery, iter_mentions

    engine = db.create(url, upgrade=False)
    try:
        with engine.connect() as connection:
            list(islice(iter_mentions(connection, MentionQuery(search="warmup", limit=1)), 1))
            started = time.perf_counter()
            rows = list(iter_mentions(connection, MentionQuery(search=word, limit=50)))
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    assert rows, f"no mention contains {word!r}"
    return seconds


def bare_page(url: str, word: str) -> float:
    from sqlalchemy import text

    from storage import db

    engine = db.create(url, upgrade=False)
    if engine.dialect.name == "sqlite":
        sql = ("SELECT m.* FROM mentions m WHERE m.id IN (SELECT rowid FROM mentions_fts "
               "WHERE mentions_fts MATCH :w) ORDER BY m.created_at DESC, m.id DESC LIMIT 50")
    else:
        sql = ("SELECT m.* FROM mentions m WHERE m.search @@ plainto_tsquery('simple', :w) "
               "ORDER BY m.created_at DESC, m.id DESC LIMIT 50")
    with engine.connect() as connection:
        started = time.perf_counter()
        connection.execute(text(sql), {"w": word}).all()
        seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def measure(ctx: Context, url: str) -> list[Result]:
    results = []
    config = ctx.work / "query.toml"
    config.write_text(f'[storage]\nurl = "{url}"\n' + "".join(
        f'[[topics]]\nname = "{t["name"]}"\nkind = "{t["kind"]}"\nquery = \'{t["query"]}\'\n'
        for t in corpus.TOPICS), encoding="utf-8")
    for word in WORDS:
        base = bare_page(url, word)
        seconds = first_page(url, word)
        results.append(check(Result(
            "query", f"--search {word} --limit 50, first page ({ctx.backend})", seconds * 1000, "ms",
            baseline=base * 1000, baseline_name="one bare SQL query", ratio=seconds / base,
            target=f"< {TARGET_MS} ms"), seconds * 1000 < TARGET_MS))
        wall, _, _, stderr, code = run_child([LISTENER, "--config", str(config), "mentions",
                                              "--search", word, "--limit", "50"])
        results.append(Result("query", f"whole CLI invocation, {word} ({ctx.backend})", wall * 1000, "ms",
                              note="reference: process start + imports + query + table"
                              + (f"; exit {code}: {stderr.strip()[-200:]}" if code else "")))
    return results


def run(ctx: Context) -> list[Result]:
    return measure(ctx, bigdb.history_url(ctx))  # read-only: used in place
