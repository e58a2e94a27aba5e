"""Datasette metadata for `listener browse`: search detected, facets, canned queries that answer."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.utils import detect_fts
from sqlalchemy import inspect

from connectors.base import Mention
from listener.browse import TABLES, metadata, write_metadata
from listener.config import TopicConfig
from listener.ingest import Ingestor
from storage import db
from storage.schema import mentions, scores

NOW = datetime.now(UTC).replace(microsecond=0)
TOPICS = [TopicConfig(name="Acme", kind="brand", query="acme OR @acmehq"),
          TopicConfig(name="Globex", kind="competitor", query="globex")]
# (id, text, author, followers, days ago, label, story link)
ROWS = [
    ("1", "acme refund is late again", "alice", 50_000, 1, "negative", "https://news.example/acme-refunds"),
    ("2", "acme refunds: the full story https://www.news.example/acme-refunds/?utm_source=x",
     "bob", 20_000, 2, "negative", None),
    ("3", "@acmehq where is my order? it has been two weeks", "carol", 10, 1, "neutral", None),
    ("4", "@acmehq thanks, see https://acme.example/?ref=mail", "dave", 10, 1, "positive", None),
    ("5", "globex launches new widgets", "erin", 300, 3, "positive", None),
    ("6", "globex is slow today", "frank", 2_000, 2, "negative", None),
    ("7", "acme was better last year", "gina", 5_000, 40, "negative", None),
    ("8", "@acmehq why? we asked", "acmehq", 90_000, 1, "neutral", None),
]


def seed(tmp_path: Path) -> Path:
    path = tmp_path / "listener.db"
    engine = db.create(f"sqlite:///{path}")
    batch = [Mention(source="x", external_id=i, text=text + (f" {link}" if link else ""), author=author,
                     author_followers=followers, created_at=NOW - timedelta(days=days),
                     url=f"https://x.test/{i}")
             for i, text, author, followers, days, _label, link in ROWS]
    Ingestor(engine, TOPICS).store(batch)
    with engine.begin() as connection:
        ids = dict(connection.execute(mentions.select().with_only_columns(
            mentions.c.external_id, mentions.c.id)).all())
        for i, *_rest, label, _link in ROWS:
            connection.execute(scores.insert().values(
                mention_id=ids[i], lang="en", label=label, compound=-0.5 if label == "negative" else 0.3,
                scorer="vader-en", scored_at=NOW.replace(tzinfo=None)))
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    return seed(tmp_path_factory.mktemp("browse"))


def canned(database: Path, name: str) -> list[dict]:
    sql = metadata("listener", TOPICS)["databases"]["listener"]["queries"][name]["sql"]
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql)]
    finally:
        connection.close()


def test_datasette_detects_the_full_text_index(database):
    connection = sqlite3.connect(database)
    assert detect_fts(connection, "mentions") == "mentions_fts"
    connection.close()


def test_every_described_table_and_column_exists(database):
    inspector = inspect(db.create(f"sqlite:///{database}"))
    names = set(inspector.get_table_names()) | set(inspector.get_view_names())
    missing = [table for table in TABLES if table not in names]
    missing += [f"{table}.{column}" for table, (_d, columns) in TABLES.items() if table in names
                for column in columns
                if column not in {c["name"] for c in inspector.get_columns(table)}]
    assert missing == []


def test_conversations_to_answer_are_this_weeks_criticism_with_reach_and_questions(database):
    rows = canned(database, "conversations_to_answer")
    assert {(r["author"], r["reason"]) for r in rows} == {
        ("alice", "negative, high reach"), ("bob", "negative, high reach"),
        ("carol", "question to the brand")}  # not: a '?' in a link, the brand itself, last month


def test_negative_stories_count_copies_of_one_article_once_by_reach(database):
    rows = canned(database, "negative_stories_by_reach")
    assert [(r["story"], r["copies"], r["reach"]) for r in rows][:2] == [
        ("https://news.example/acme-refunds", 2, 70_000), ("post:x:6", 1, 2_000)]


def test_share_of_voice_by_week_adds_up_to_100_percent(database):
    rows = canned(database, "share_of_voice_by_week")
    weeks: dict[str, float] = {}
    for row in rows:
        weeks[row["week_of"]] = weeks.get(row["week_of"], 0) + row["share_of_voice_pct"]
    assert {row["topic"] for row in rows} == {"Acme", "Globex"}
    assert all(99.5 <= total <= 100.5 for total in weeks.values())


def test_datasette_serves_search_facets_and_canned_queries(database, tmp_path):
    meta = json.loads(write_metadata(tmp_path / "m.json", database, TOPICS).read_text(encoding="utf-8"))

    async def fetch() -> tuple:
        datasette = Datasette([str(database)], metadata=meta)
        await datasette.invoke_startup()
        search = await datasette.client.get("/listener/mentions_with_scores.json?_search=refund&_shape=objects")
        page = await datasette.client.get("/listener/mentions_with_scores")
        query = await datasette.client.get("/listener/negative_stories_by_reach")
        return search.json(), page.text, query

    search, page, query = asyncio.run(fetch())
    assert [row["external_id"] for row in search["rows"]] == ["1"]  # words, not substrings
    assert {"source", "sentiment", "lang", "topics"} <= set(search["facet_results"])
    assert "Start here" in page and 'name="_search"' in page
    assert query.status_code == 200 and "news.example/acme-refunds" in query.text

