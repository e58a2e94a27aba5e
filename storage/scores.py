"""The database side of scoring: which mentions wait for a score, and idempotent score writes.

Pending mentions are found with an anti-join above a watermark kept in ``meta``
(the highest mention id known to be scored), so the cost grows with new
mentions, not with history. Scores are written with an upsert keyed by mention
id: writing the same chunk twice (a rerun after a crash, ``--rescore``) leaves
one row per mention.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, select

from storage.bulk import upsert_many
from storage.schema import matches, mentions, scores, topics
from storage.state import get_meta, set_meta

WATERMARK_KEY = "scoring.watermark"
# Re-check this many ids below the watermark with the anti-join: on PostgreSQL
# a transaction can commit a lower id after a higher one was already scored.
WATERMARK_OVERLAP = 1_000
WRITE_BATCH = 2_000
_WRITTEN = ("lang", "lang_detected", "label", "compound", "pos", "neu", "neg", "scorer",
            "scored_at")


def watermark(connection: Connection) -> int:
    return int(get_meta(connection, WATERMARK_KEY, 0) or 0)


def set_watermark(connection: Connection, value: int) -> None:
    set_meta(connection, WATERMARK_KEY, value)


def start(connection: Connection, *, rescore: bool = False) -> int:
    """The mention id after which pending mentions are looked for."""
    return 0 if rescore else max(0, watermark(connection) - WATERMARK_OVERLAP)


def _unscored(query: Any) -> Any:
    return query.outerjoin(scores, scores.c.mention_id == mentions.c.id).where(
        scores.c.mention_id.is_(None)
    )


def read_pending(connection: Connection, after: int, limit: int, *,
                 rescore: bool = False) -> Sequence[Row[Any]]:
    """Up to ``limit`` mentions (id, text, title, lang) after id ``after`` that need a score."""
    query = select(mentions.c.id, mentions.c.text, mentions.c.title, mentions.c.lang).where(
        mentions.c.id > after
    )
    if not rescore:
        query = _unscored(query)
    return connection.execute(query.order_by(mentions.c.id).limit(limit)).all()


def count_pending(connection: Connection, *, rescore: bool = False) -> int:
    query = select(func.count()).select_from(mentions).where(
        mentions.c.id > start(connection, rescore=rescore))
    if not rescore:
        query = _unscored(query)
    return int(connection.execute(query).scalar_one())


def topics_of(connection: Connection, low: int, high: int) -> dict[int, list[int]]:
    """Topic ids matched by each mention with an id in [low, high]."""
    found: dict[int, list[int]] = {}
    rows = connection.execute(
        select(matches.c.mention_id, matches.c.topic_id).where(
            matches.c.mention_id.between(low, high)
        )
    )
    for mention_id, topic_id in rows:
        found.setdefault(mention_id, []).append(topic_id)
    return found


def topic_queries(connection: Connection) -> dict[int, str]:
    """Every stored topic's query, by topic id (what masking removes)."""
    return {topic_id: query for topic_id, query in connection.execute(select(topics.c.id, topics.c.query))}


def write(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace the score of each mention in ``rows`` (one row per mention)."""
    def replace(statement: Any) -> Any:
        return statement.on_conflict_do_update(
            index_elements=["mention_id"],
            set_={name: statement.excluded[name] for name in _WRITTEN},
        )

    for begin in range(0, len(rows), WRITE_BATCH):  # through the DB-API (COPY on PostgreSQL): storage.bulk
        upsert_many(connection, scores, rows[begin : begin + WRITE_BATCH], replace)
