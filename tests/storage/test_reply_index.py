"""The triage list's "already answered?" check looks replies up in ix_mentions_replies (migration 0008_replies_index)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from connectors.base import Mention
from listener.analysis.conversations import to_answer
from storage.mentions import store_mentions, sync_topics

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_the_answered_check_reads_the_reply_index_not_every_mention(sqlite_engine):
    with sqlite_engine.begin() as connection:
        sync_topics(connection, [{"name": "Acme", "kind": "brand", "query": "@acme OR acme"}])
        store_mentions(connection, [
            Mention(source="x", external_id="1", text="@acme is my order lost?", created_at=NOW - timedelta(hours=2)),
            Mention(source="x", external_id="2", text="@bob we are on it", created_at=NOW - timedelta(hours=1),
                    author="acme", parent_id="1", is_reply=True),
        ], collected_at=NOW)
    statements: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        if "parent_id" in statement:
            statements.append((statement, parameters))

    event.listen(sqlite_engine, "before_cursor_execute", keep)
    try:
        with sqlite_engine.connect() as connection:
            to_answer(connection, ["Acme"], NOW - timedelta(days=7), until=NOW)
            [(statement, parameters)] = statements
            plan = " | ".join(row[3] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", keep)
    assert "ix_mentions_replies" in plan, plan
