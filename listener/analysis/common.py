"""SQL pieces shared by the analysis modules (SQLAlchemy Core, same on SQLite and PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from storage.schema import mentions, scores, topics


class UnknownTopicError(LookupError):
    """A topic name is not in the database; the message lists the known ones."""


@dataclass(frozen=True)
class TopicRow:
    id: int
    name: str
    kind: str
    query: str


def resolve_topics(connection: Connection, names: Sequence[str]) -> list[TopicRow]:
    """Topic rows for ``names`` (case-insensitive), in the order given."""
    rows = [TopicRow(*row) for row in connection.execute(
        select(topics.c.id, topics.c.name, topics.c.kind, topics.c.query))]
    by_name = {row.name.casefold(): row for row in rows}
    found, missing = [], []
    for name in names:
        row = by_name.get(name.casefold())
        if row is None:
            missing.append(name)
        elif row not in found:
            found.append(row)
    if missing:
        known = ", ".join(sorted(row.name for row in rows)) or "none yet"
        raise UnknownTopicError(f"unknown topic(s): {', '.join(missing)} (known: {known})")
    return found


def engagement() -> ColumnElement[int]:
    return (func.coalesce(mentions.c.likes, 0) + func.coalesce(mentions.c.reposts, 0)
            + func.coalesce(mentions.c.replies, 0))


def story() -> ColumnElement[str]:
    """The story a mention tells: its ``story_key``, or the post itself when it has none.

    A post without a key stands for ``post:<source>:<external id>``, the key its reposts
    carry (``listener.stories.post_key``), so a retweet and its original are one story.
    """
    return func.coalesce(mentions.c.story_key,
                         "post:" + mentions.c.source + ":" + mentions.c.external_id)


def count_label(label: str) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((scores.c.label == label, 1), else_=0)), 0)


def count_pending() -> ColumnElement[int]:
    return func.coalesce(func.sum(case((scores.c.label.is_(None), 1), else_=0)), 0)


def author_key() -> ColumnElement[str]:
    return mentions.c.source + ":" + mentions.c.author


def as_date(value: date | datetime | str) -> date:
    """SQLite's date() gives a string, PostgreSQL's a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def net(positive: int, negative: int, scored: int) -> float | None:
    return (positive - negative) / scored if scored else None


def reach_weight(followers: int | None) -> float:
    return math.log10(10 + max(0, followers or 0))
