"""storage.queries: the three search plans agree, sorts page by keyset, results stream in chunks.

Speed (measured, not asserted here): on a generated SQLite database of 1,000,000
mentions (15 Zipf-distributed words each, 30 % containing "acme"), the first page of
``--search WORD --limit 50`` took 7-45 ms for single words of any frequency
(``plan_search`` picks the plan; see the module docstring).
"""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from connectors.base import Mention
from storage import queries
from storage.mentions import store_mentions
from storage.queries import MentionQuery, iter_mentions, mention_statement, plan_search

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fill(engine, count: int, *, every: int = 3, text: str = "word{n} filler") -> None:
    batch = []
    for n in range(count):
        words = text.format(n=n) + (" acme" if n % every == 0 else "")
        # a late backfill: the last fifth were stored last but are the oldest
        created = T0 + timedelta(minutes=n) if n < count * 4 // 5 else T0 - timedelta(minutes=n)
        batch.append(Mention(source="x", external_id=str(n), text=words, created_at=created,
                             author=f"a{n % 7}", author_followers=n % 13, likes=n % 5))
    with engine.begin() as connection:
        for start in range(0, len(batch), 2000):
            store_mentions(connection, batch[start:start + 2000], collected_at=T0)


def reference(engine, query: MentionQuery) -> list[str]:
    """Newest first, computed in Python from every matching row."""
    with engine.connect() as connection:
        rows = list(iter_mentions(connection, MentionQuery(search=query.search, sort="reach")))
    rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return [r["external_id"] for r in rows][: query.limit]


@pytest.mark.parametrize(("plan", "few", "many"), [
    ("candidates", 10_000, 20_000), ("materialize", 10, 20_000), ("probe", 10, 20)])
def test_every_search_plan_gives_the_same_newest_first_page(sqlite_engine, monkeypatch, plan, few, many):
    fill(sqlite_engine, 600)
    monkeypatch.setattr(queries, "SEARCH_FEW", few)
    monkeypatch.setattr(queries, "SEARCH_MANY", many)
    query = MentionQuery(search="acme", limit=50)
    with sqlite_engine.connect() as connection:
        assert plan_search(connection, query) == plan
        got = [r["external_id"] for r in iter_mentions(connection, query, chunk=20)]
    assert got == reference(sqlite_engine, query)
    assert len(got) == 50


def test_search_plans_read_an_index_not_the_table(sqlite_engine):
    fill(sqlite_engine, 50)
    with sqlite_engine.connect() as connection:
        for plan in ("materialize", "probe"):
            compiled = mention_statement(connection, MentionQuery(search="acme", limit=50),
                                         search_plan=plan).compile(connection)
            params = tuple(compiled.params[k] for k in compiled.positiontup)
            details = " | ".join(row[3] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled), params))
            assert "INDEX ix_mentions_created_at" in details, details
            assert "TEMP B-TREE FOR ORDER BY" not in details, details


def test_sort_indexes_are_used(sqlite_engine):
    with sqlite_engine.connect() as connection:
        for sort, index in (("reach", "ix_mentions_reach"), ("engagement", "ix_mentions_engagement")):
            compiled = mention_statement(connection, MentionQuery(sort=sort, limit=50)).compile(connection)
            params = tuple(compiled.params[k] for k in compiled.positiontup)
            details = " | ".join(row[3] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled), params))
            assert index in details, details


@pytest.mark.parametrize("sort", ["newest", "reach", "engagement", "negative"])
def test_keyset_pages_cover_every_row_once(engine, sort):
    fill(engine, 230)
    with engine.connect() as connection:
        rows = [r["id"] for r in iter_mentions(connection, MentionQuery(sort=sort), chunk=17)]
    assert len(rows) == len(set(rows)) == 230


def test_offset_then_keyset(engine):
    fill(engine, 50)
    with engine.connect() as connection:
        everything = [r["id"] for r in iter_mentions(connection, MentionQuery(sort="reach"))]
        page = [r["id"] for r in iter_mentions(connection, MentionQuery(sort="reach", offset=20, limit=25), chunk=10)]
    assert page == everything[20:45]


def test_search_on_every_backend(engine):
    fill(engine, 30)
    with engine.connect() as connection:
        found = [r["external_id"] for r in iter_mentions(connection, MentionQuery(search="word7 acme"))]
        marked = queries.highlights(connection, "acme", [1])
    assert found == []  # word7 is not a multiple of 3
    assert queries.MARK_START + "acme" + queries.MARK_END in marked[1]


def test_a_large_export_streams_in_chunks(sqlite_engine, tmp_path):
    fill(sqlite_engine, 12_000, text="mention number {n} with some text to make the row a little longer")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().startswith("SELECT mentions.id"):
            statements.append(statement)

    import pyarrow.parquet  # noqa: F401 - imported before measuring: its import is not the export

    from listener.export import write_parquet

    with sqlite_engine.connect() as connection:
        # warm up: lazy imports (pyarrow loads pandas) and statement caches are not the export
        write_parquet(iter_mentions(connection, MentionQuery(limit=1500), chunk=500), tmp_path / "warm.parquet")
        event.listen(sqlite_engine, "before_cursor_execute", count)
        tracemalloc.start()
        written = write_parquet(iter_mentions(connection, MentionQuery(), chunk=500), tmp_path / "all.parquet",
                                batch=500)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        event.remove(sqlite_engine, "before_cursor_execute", count)
    assert written == 12_000
    assert len(statements) == 25  # 24 full chunks and the empty one that ends the stream
    # a chunk of 500 rows is well under 1 MB in Python objects; the whole result would be ~12 MB
    assert peak < 3_000_000, peak


def add_scores(engine, compounds: dict[int, float | None]) -> None:
    """Score rows for some mentions (by id); ``None``: scored as unscored (no compound)."""
    from storage.schema import scores

    with engine.begin() as connection:
        connection.execute(scores.insert(), [
            {"mention_id": mention_id, "lang": "en", "label": "unscored" if value is None else "neutral",
             "compound": value, "scorer": "none" if value is None else "vader-en", "scored_at": T0}
            for mention_id, value in compounds.items()])


def negative_reference(engine) -> list[int]:
    """Most negative first, unscored and not-yet-scored last, ties by newest id: sorted in Python."""
    with engine.connect() as connection:
        rows = list(iter_mentions(connection, MentionQuery(sort="newest")))
    return [r["id"] for r in sorted(rows, key=lambda r: (2.0 if r["compound"] is None else r["compound"], -r["id"]))]


def test_negative_sort_reads_scored_then_unscored_in_one_order(engine):
    fill(engine, 90)
    # ids 1..90; ties on -0.5, a band without a compound, and ids 61..90 not scored at all
    add_scores(engine, {i: (None if i % 10 == 0 else (-0.5 if i % 4 == 0 else (i % 7 - 3) / 4)) for i in range(1, 61)})
    expected = negative_reference(engine)
    with engine.connect() as connection:
        def ids(**query):
            return [r["id"] for r in iter_mentions(connection, MentionQuery(sort="negative", **query), chunk=7)]

        assert ids() == expected
        assert ids(limit=20) == expected[:20]  # within the scored part
        assert ids(limit=70) == expected[:70]  # across both parts
        assert ids(offset=50, limit=15) == expected[50:65]
        assert [r["id"] for r in iter_mentions(connection, MentionQuery(sort="negative", sources=["x"],
                                                                        search="acme"))] == \
            [i for i in expected if (i - 1) % 3 == 0]


def test_negative_sort_pages_through_bands_in_exact_compound_order(engine):
    fill(engine, 120)
    # around the band edges: the fine tail below -0.9, its boundary, coarse bands, ties across pages
    edges = [-1.0, -0.99995, -0.9999, -0.95, -0.90005, -0.9, -0.89995, -0.895, -0.5, -0.505, -0.0049, 0.0, 0.005, 0.99, 1.0]
    add_scores(engine, {i: edges[i % len(edges)] for i in range(1, 121)})
    expected = negative_reference(engine)
    with engine.connect() as connection:
        for chunk in (1, 4, 50):
            assert [r["id"] for r in iter_mentions(connection, MentionQuery(sort="negative"), chunk=chunk)] == expected


def test_negative_sort_walks_its_banded_index_sorting_only_within_a_band(sqlite_engine):
    with sqlite_engine.connect() as connection:
        compiled = mention_statement(connection, MentionQuery(sort="negative", limit=50)).compile(connection)
        params = tuple(compiled.params[k] for k in compiled.positiontup)
        details = " | ".join(row[3] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(compiled), params))
    assert "USING INDEX ix_scores_negative_band" in details, details
    assert "TEMP B-TREE FOR RIGHT PART OF ORDER BY" in details, details  # never a sort of every score


def test_authors_since_a_date_read_that_range_not_every_mention_in_author_order(sqlite_engine):
    from storage.queries import AuthorQuery, iter_authors

    with sqlite_engine.connect() as connection:
        statements: list[tuple[str, tuple]] = []
        event.listen(connection, "before_cursor_execute",
                     lambda _c, _cur, statement, params, *_: statements.append((statement, params)))
        list(iter_authors(connection, AuthorQuery(since=datetime(2026, 11, 16), limit=10)))
        statement, params = statements[-1]
        details = " | ".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
    assert "created_at>? AND created_at<?" in details, details  # one-sided, it walked ix_mentions_author
    assert "ix_mentions_author" not in details, details
