"""Reading mentions back: filters, full-text search, streaming in chunks.

Results stream with keyset pagination on (created_at, id), so an export of a
million rows holds one chunk in memory at a time, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, literal_column, or_, select, text

from storage.schema import matches, mentions, scores, topics
from storage.times import to_db

CHUNK = 1000


@dataclass(frozen=True)
class MentionQuery:
    topics: Sequence[str] = ()
    sources: Sequence[str] = ()
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    sentiment: str | None = None  # positive | neutral | negative | unscored
    lang: str | None = None
    search: str | None = None
    limit: int | None = None


def fts_phrase_query(words: str) -> str:
    """User words as an FTS5 query of quoted terms: no operator in user text is ever interpreted."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words.split())


def _base(connection: Connection, query: MentionQuery) -> Select:
    lang = func.coalesce(scores.c.lang, mentions.c.lang).label("lang")
    statement = select(
        mentions.c.id, mentions.c.source, mentions.c.external_id, mentions.c.url, mentions.c.author,
        mentions.c.author_followers, mentions.c.created_at, mentions.c.title, mentions.c.text, lang,
        scores.c.label.label("sentiment"), scores.c.compound, mentions.c.likes, mentions.c.reposts,
        mentions.c.replies,
    ).select_from(mentions.outerjoin(scores, scores.c.mention_id == mentions.c.id))
    conditions = []
    if query.topics:
        conditions.append(exists().where(
            matches.c.mention_id == mentions.c.id,
            matches.c.topic_id.in_(select(topics.c.id).where(topics.c.name.in_(query.topics))),
        ))
    if query.sources:
        conditions.append(mentions.c.source.in_(query.sources))
    if query.since:
        conditions.append(mentions.c.created_at >= to_db(query.since))
    if query.until:
        conditions.append(mentions.c.created_at < to_db(query.until))
    if query.sentiment:
        conditions.append(scores.c.label == query.sentiment)
    if query.lang:
        conditions.append(lang == query.lang)
    if query.search and query.search.strip():
        if connection.dialect.name == "sqlite":
            conditions.append(mentions.c.id.in_(
                select(literal_column("rowid")).select_from(text("mentions_fts"))
                .where(text("mentions_fts MATCH :fts")).params(fts=fts_phrase_query(query.search))
            ))
        else:
            conditions.append(literal_column("mentions.search").op("@@")(
                func.plainto_tsquery("simple", query.search)))
    return statement.where(and_(*conditions)) if conditions else statement


def iter_mentions(connection: Connection, query: MentionQuery, *, chunk: int = CHUNK) -> Iterator[dict[str, Any]]:
    """Newest first, each row a dict with its topic names; streams in chunks."""
    base = _base(connection, query)
    remaining = query.limit
    after: tuple[datetime, int] | None = None
    while remaining is None or remaining > 0:
        size = chunk if remaining is None else min(chunk, remaining)
        statement = base.order_by(mentions.c.created_at.desc(), mentions.c.id.desc()).limit(size)
        if after is not None:
            statement = statement.where(or_(
                mentions.c.created_at < after[0],
                and_(mentions.c.created_at == after[0], mentions.c.id < after[1]),
            ))
        rows = [dict(row._mapping) for row in connection.execute(statement)]
        if not rows:
            return
        names = topic_names(connection, [row["id"] for row in rows])
        for row in rows:
            row["topics"] = names.get(row["id"], [])
            yield row
        if len(rows) < size:
            return
        after = (rows[-1]["created_at"], rows[-1]["id"])
        if remaining is not None:
            remaining -= len(rows)


def topic_names(connection: Connection, mention_ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    statement = (
        select(matches.c.mention_id, topics.c.name)
        .join(topics, topics.c.id == matches.c.topic_id)
        .where(matches.c.mention_id.in_(mention_ids))
        .order_by(topics.c.name)
    )
    for mention_id, name in connection.execute(statement):
        result.setdefault(mention_id, []).append(name)
    return result


def count_mentions(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(mentions)).scalar_one()
