"""6. Query: ``listener mentions --search WORD --limit 50`` and ``--sort negative --limit 50`` on the big history.

Figure: in-process time to the first page (``iter_mentions``, 50 rows with
their topics), for a rare and a common word, and for the most negative
mentions. Baseline for reference: the same page as one bare SQL query. The
whole CLI invocation (process start, imports, config, table output) is
reported too. Target: first page under 100 ms.
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


NEGATIVE_SQL = ("SELECT m.*, s.compound FROM mentions m LEFT JOIN scores s ON s.mention_id = m.id "
                "ORDER BY coalesce(s.compound, 2.0), m.id DESC LIMIT 50")


def first_page(url: str, **query: object) -> float:
    from storage import db
    from storage.queries import MentionQuery, iter_mentions

    engine = db.create(url, upgrade=False)
    try:
        with engine.connect() as connection:
            list(islice(iter_mentions(connection, MentionQuery(search="warmup", limit=1)), 1))
            started = time.perf_counter()
            rows = list(iter_mentions(connection, MentionQuery(limit=50, **query)))
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    assert rows, f"no mention for {query}"
    return seconds


def bare_page(url: str, sql: str, **params: object) -> float:
    from sqlalchemy import text

    from storage import db

    engine = db.create(url, upgrade=False)
    with engine.connect() as connection:
        started = time.perf_counter()
        connection.execute(text(sql), params).all()
        seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def search_sql(dialect: str) -> str:
    if dialect == "sqlite":
        return ("SELECT m.* FROM mentions m WHERE m.id IN (SELECT rowid FROM mentions_fts "
                "WHERE mentions_fts MATCH :w) ORDER BY m.created_at DESC, m.id DESC LIMIT 50")
    return ("SELECT m.* FROM mentions m WHERE m.search @@ plainto_tsquery('simple', :w) "
            "ORDER BY m.created_at DESC, m.id DESC LIMIT 50")


def measure(ctx: Context, url: str) -> list[Result]:
    results = []
    config = ctx.work / "query.toml"
    config.write_text(f'[storage]\nurl = "{url}"\n' + "".join(
        f'[[topics]]\nname = "{t["name"]}"\nkind = "{t["kind"]}"\nquery = \'{t["query"]}\'\n'
        for t in corpus.TOPICS), encoding="utf-8")
    sql = search_sql("postgresql" if ctx.postgres_url else "sqlite")
    cases = [(f"--search {word}", {"search": word}, bare_page(url, sql, w=word)) for word in WORDS]
    cases.append(("--sort negative", {"sort": "negative"}, bare_page(url, NEGATIVE_SQL)))
    for flags, query, base in cases:
        seconds = first_page(url, **query)
        results.append(check(Result(
            "query", f"mentions {flags} --limit 50, first page ({ctx.backend})", seconds * 1000, "ms",
            baseline=base * 1000, baseline_name="one bare SQL query", ratio=seconds / base,
            target=f"< {TARGET_MS} ms"), seconds * 1000 < TARGET_MS))
        wall, _, _, stderr, code = run_child([LISTENER, "--config", str(config), "mentions",
                                              *flags.split(), "--limit", "50"])
        results.append(Result("query", f"whole CLI invocation, {flags} ({ctx.backend})", wall * 1000, "ms",
                              note="reference: process start + imports + query + table"
                              + (f"; exit {code}: {stderr.strip()[-200:]}" if code else "")))
    return results


def run(ctx: Context) -> list[Result]:
    return measure(ctx, bigdb.history_url(ctx))  # read-only: used in place
