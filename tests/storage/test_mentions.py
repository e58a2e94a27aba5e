from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select

from connectors.base import Mention
from storage.mentions import dedupe, store_matches, store_mentions, sync_topics
from storage.queries import MentionQuery, iter_mentions
from storage.schema import authors, matches, mentions
from storage.state import get_meta, load_state, save_state, set_meta

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def mention(i: int, text: str = "hello acme coffee", **extra) -> Mention:
    return Mention(source="x", external_id=str(i), text=text, created_at=NOW - timedelta(minutes=i),
                   author=f"user{i % 3}", author_followers=100 * i, **extra)


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_storing_the_same_batch_twice_keeps_one_row_per_natural_key(engine):
    batch = [mention(i) for i in range(5)]
    with engine.begin() as connection:
        first = store_mentions(connection, batch, collected_at=NOW)
    with engine.begin() as connection:
        second = store_mentions(connection, batch, collected_at=NOW)
    assert first.new == 5 and second.new == 0
    assert first.ids == second.ids
    assert count(engine, mentions) == 5


def test_rereading_a_mention_refreshes_metrics_but_keeps_earlier_ones_when_missing(engine):
    with engine.begin() as connection:
        store_mentions(connection, [mention(1, likes=3, reposts=1)], collected_at=NOW)
        store_mentions(connection, [mention(1, likes=10, reposts=None)], collected_at=NOW)
    with engine.connect() as connection:
        row = connection.execute(select(mentions.c.likes, mentions.c.reposts)).one()
    assert (row.likes, row.reposts) == (10, 1)


def test_duplicate_keys_inside_one_batch_are_stored_once():
    batch = dedupe([mention(1, likes=1), mention(1, likes=2), mention(2)])
    assert [(m.external_id, m.likes) for m in batch] == [("1", 2), ("2", None)]


def test_authors_are_upserted_with_latest_followers_and_seen_range(engine):
    early = Mention(source="x", external_id="a", text="t", created_at=NOW - timedelta(days=2),
                    author="bob", author_followers=10)
    late = Mention(source="x", external_id="b", text="t", created_at=NOW, author="bob", author_followers=None)
    with engine.begin() as connection:
        store_mentions(connection, [late], collected_at=NOW)
        store_mentions(connection, [early], collected_at=NOW)
    with engine.connect() as connection:
        row = connection.execute(select(authors)).one()
    assert row.followers == 10
    assert row.first_seen == (NOW - timedelta(days=2)).replace(tzinfo=None)
    assert row.last_seen == NOW.replace(tzinfo=None)


def test_matches_are_idempotent_and_topics_sync_by_name(engine):
    with engine.begin() as connection:
        ids = sync_topics(connection, [{"name": "Acme", "kind": "brand", "query": "acme"}])
        ids = sync_topics(connection, [{"name": "Acme", "kind": "brand", "query": "acme OR @acme"}])
        stored = store_mentions(connection, [mention(1)], collected_at=NOW)
        row = {"topic_id": ids["Acme"], "mention_id": stored.ids[0], "created_at": NOW.replace(tzinfo=None)}
        store_matches(connection, [row])
        store_matches(connection, [row])
    assert count(engine, matches) == 1


def test_connector_state_and_meta_round_trip(engine):
    with engine.begin() as connection:
        assert load_state(connection, "x", "topic:Acme") is None
        save_state(connection, "x", "topic:Acme", {"since_id": "5"}, NOW)
        save_state(connection, "x", "topic:Acme", {"since_id": "9"}, NOW)
        set_meta(connection, "score_watermark", 42)
    with engine.connect() as connection:
        assert load_state(connection, "x", "topic:Acme") == {"since_id": "9"}
        assert get_meta(connection, "score_watermark") == 42
        assert get_meta(connection, "missing", "default") == "default"


def test_full_text_search_finds_words_accent_insensitively_and_ignores_operators(engine):
    with engine.begin() as connection:
        store_mentions(connection, [
            mention(1, "Le café était froid"),
            mention(2, "great espresso today"),
            mention(3, 'weird "quotes" AND NOT (operators'),
        ], collected_at=NOW)
    with engine.connect() as connection:
        def search(words):
            return [row["external_id"] for row in iter_mentions(connection, MentionQuery(search=words))]

        assert search("espresso") == ["2"]
        assert search('"quotes" AND NOT (') == ["3"]
        if engine.dialect.name == "sqlite":  # PostgreSQL's 'simple' config keeps accents
            assert search("cafe") == ["1"]


def test_iter_mentions_streams_newest_first_across_chunks_with_filters(engine):
    with engine.begin() as connection:
        store_mentions(connection, [mention(i) for i in range(25)], collected_at=NOW)
    with engine.connect() as connection:
        rows = list(iter_mentions(connection, MentionQuery(), chunk=7))
        limited = list(iter_mentions(connection, MentionQuery(limit=10), chunk=4))
        recent = list(iter_mentions(connection, MentionQuery(since=NOW - timedelta(minutes=4))))
    assert [r["external_id"] for r in rows] == [str(i) for i in range(25)]
    assert [r["external_id"] for r in limited] == [str(i) for i in range(10)]
    assert len(recent) == 5


def test_stored_values_read_back_as_written(engine):
    moment = datetime(2026, 11, 20, 13, 14, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as connection:
        stored = store_mentions(connection, [
            Mention(source="x", external_id="1", text="t", created_at=moment, raw={"id": "1", "nested": [1, "é"]},
                    is_repost=True, title="T"),
            mention(2, lang="fr"),
        ], collected_at=NOW)
        rows = {row.external_id: row for row in connection.execute(select(mentions))}
    assert sorted(stored.ids) == sorted(row.id for row in rows.values())
    first = rows["1"]
    assert first.created_at == datetime(2026, 11, 20, 11, 14, 15, 123456)  # naive UTC, microseconds kept
    assert first.collected_at == NOW.replace(tzinfo=None)
    assert first.raw == {"id": "1", "nested": [1, "é"]}
    assert (first.is_repost, first.is_reply, first.title) == (True, False, "T")
    assert (rows["2"].raw, rows["2"].lang, rows["2"].title) == (None, "fr", None)


def test_a_connection_that_stores_mentions_gets_the_larger_page_cache_and_a_reader_does_not(sqlite_engine):
    from storage.db import SQLITE_WRITER_CACHE_KIB

    with sqlite_engine.connect() as reader, sqlite_engine.begin() as writer:
        store_mentions(writer, [mention(1)], collected_at=NOW)
        assert writer.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_WRITER_CACHE_KIB
        assert reader.exec_driver_sql("PRAGMA cache_size").scalar() == -2000  # SQLite's default
