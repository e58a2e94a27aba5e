"""Writing mentions, authors, topics and matches. Every write is an idempotent upsert."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, case, select, tuple_

from storage.bulk import bound_values, copy_to_temporary, upsert_many
from storage.db import widen_cache
from storage.schema import authors, matches, mentions, topics
from storage.times import to_db
from storage.upsert import insert

# Metrics that change after a post is first seen: a re-read refreshes them.
_REFRESHED = ("likes", "reposts", "replies", "views", "author_followers")


class Mention(Protocol):
    """What storage reads from a mention: ``connectors.base.Mention`` has these fields.

    storage stands alone (it imports none of the other packages), so it names the
    shape it writes instead of importing the class.
    """

    source: str
    external_id: str
    text: str
    created_at: datetime
    author: str | None
    author_id: str | None
    author_name: str | None
    author_followers: int | None
    url: str | None
    title: str | None
    lang: str | None
    likes: int | None
    reposts: int | None
    replies: int | None
    views: int | None
    is_repost: bool
    is_reply: bool
    parent_id: str | None
    raw: Mapping[str, Any] | None


AnyMention = TypeVar("AnyMention", bound=Mention)


def text_hash(text: str) -> str:
    """Identical texts (retweets, copy-paste) share a hash, and so a score."""
    return hashlib.blake2b(_one_spaced(text).casefold().encode(), digest_size=16).hexdigest()


def _one_spaced(text: str) -> str:
    """``" ".join(text.split())``: the text itself when that changes nothing, as for most posts.

    A printable text holds no whitespace but the ASCII space (checked over every code point by
    the tests), so it is already one-spaced unless two meet or one starts or ends it.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Stored:
    ids: list[int]  # mention ids, aligned with the (deduplicated) mentions passed in
    new: int  # how many were not stored before
    # with ``last_copy_wins``: mentions already written earlier in the same run, now
    # replaced by this copy, and how many of those earlier copies matched no topic
    repeated: int = 0
    repeated_unmatched: int = 0


def dedupe(batch: Iterable[AnyMention]) -> list[AnyMention]:
    """One mention per natural key; the last copy wins (it has the freshest metrics)."""
    by_key: dict[tuple[str, str], AnyMention] = {}
    for mention in batch:
        by_key[(mention.source, mention.external_id)] = mention
    return list(by_key.values())


def store_mentions(
    connection: Connection,
    batch: Sequence[Mention],
    *,
    collected_at: datetime,
    story_keys: Sequence[str | None] | None = None,
    last_copy_wins: bool = False,
) -> Stored:
    """Upsert a deduplicated batch; returns ids in batch order and the count of new rows.

    A mention stored before keeps its text and gets fresh metrics. With
    ``last_copy_wins`` (an import, whose batches share one ``collected_at``), a
    mention written earlier *in the same run* is replaced whole by this copy and
    loses its topic matches, so a file repeating an id keeps its last copy.
    """
    return store_rows(connection, mention_rows(batch, collected_at=collected_at, story_keys=story_keys),
                      author_rows(batch), last_copy_wins=last_copy_wins)


def mention_rows(batch: Sequence[Mention], *, collected_at: datetime,
                 story_keys: Sequence[str | None] | None = None) -> list[dict]:
    """The ``mentions`` rows of a batch (no database: a caller may build them in another process)."""
    collected = to_db(collected_at)
    keys = story_keys if story_keys is not None else [None] * len(batch)
    hashes: dict[str, str] = {}  # a fifth of a batch repeats a text (retweets, copies): hashed once
    return [_row(m, collected, story, hashes) for m, story in zip(batch, keys, strict=True)]


def store_rows(connection: Connection, rows: Sequence[dict], authors_seen: Sequence[dict], *,
               last_copy_wins: bool = False) -> Stored:
    """:func:`store_mentions` of rows made by :func:`mention_rows` and :func:`author_rows`."""
    if not rows:
        return Stored([], 0)
    widen_cache(connection)
    keys = [(row["source"], row["external_id"]) for row in rows]
    collected = rows[0]["collected_at"]
    ids_by_key = _insert_new(connection, rows, keys)
    new = len(ids_by_key)
    stored_before = [i for i, key in enumerate(keys) if key not in ids_by_key]
    repeated: list[int] = []
    repeated_unmatched = 0
    if stored_before:
        existing = _ids_of(connection, [keys[i] for i in stored_before])
        if last_copy_wins:
            repeated = _written_at(connection, [existing[keys[i]] for i in stored_before], collected)
            repeated_unmatched = _replace(connection, repeated, {
                existing[keys[i]]: rows[i] for i in stored_before if existing[keys[i]] in repeated
            })
        refreshed = [i for i in stored_before if existing[keys[i]] not in repeated]
        if refreshed:
            _refresh_metrics(connection, [
                {"b_id": existing[keys[i]], **{name: rows[i][name] for name in _REFRESHED}} for i in refreshed
            ])
        ids_by_key.update(existing)
    _upsert_authors(connection, authors_seen)
    return Stored([ids_by_key[key] for key in keys], new, len(repeated), repeated_unmatched)


_KEYS_PER_QUERY = 1_000  # an IN list of thousands of pairs overflows PostgreSQL's parser stack


def _chunks(items: Sequence, size: int = _KEYS_PER_QUERY) -> Iterable[Sequence]:
    return (items[start:start + size] for start in range(0, len(items), size))


def _written_at(connection: Connection, ids: Sequence[int], collected: datetime) -> list[int]:
    """Those of ``ids`` first written at ``collected`` (by this run)."""
    return [id_ for part in _chunks(ids) for id_ in connection.scalars(
        select(mentions.c.id).where(mentions.c.id.in_(part), mentions.c.collected_at == collected)
    )]


def _replace(connection: Connection, ids: Sequence[int], rows: Mapping[int, dict]) -> int:
    """Overwrite mentions ``ids`` with ``rows`` and drop their matches; how many matched nothing."""
    from sqlalchemy import bindparam, delete, update

    if not ids:
        return 0
    matched: set[int] = set()
    for part in _chunks(ids):
        matched.update(connection.scalars(select(matches.c.mention_id).where(matches.c.mention_id.in_(part))))
        connection.execute(delete(matches).where(matches.c.mention_id.in_(part)))
    columns = [name for name in next(iter(rows.values())) if name not in ("source", "external_id")]
    statement = update(mentions).where(mentions.c.id == bindparam("b_id")).values(
        {name: bindparam(f"b_{name}", type_=mentions.c[name].type) for name in columns}
    )
    connection.execute(statement, [
        {"b_id": mention_id, **{f"b_{name}": row[name] for name in columns}} for mention_id, row in rows.items()
    ])
    return sum(1 for mention_id in ids if mention_id not in matched)


def _ids_of(connection: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    return {
        (row.source, row.external_id): row.id
        for part in _chunks(keys)
        for row in connection.execute(
            select(mentions.c.id, mentions.c.source, mentions.c.external_id).where(
                tuple_(mentions.c.source, mentions.c.external_id).in_(part)
            )
        )
    }


def _insert_new(connection: Connection, rows: list[dict], keys: list[tuple[str, str]]
                ) -> dict[tuple[str, str], int]:
    """Insert the rows not stored yet; ``{key: id}`` of those this call inserted."""
    if connection.dialect.name == "sqlite":
        return _insert_new_sqlite(connection, rows)
    return _insert_new_postgresql(connection, rows)


def _insert_new_postgresql(connection: Connection, rows: list[dict]) -> dict[tuple[str, str], int]:
    """``COPY`` into a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING``.

    COPY streams the rows without a statement per row or placeholders to parse;
    the rows keep their batch order (``ordinal``), so new ids follow it as they
    would row by row.
    """
    names = list(rows[0])
    incoming = copy_to_temporary(connection, mentions, names, rows, numbered=True)
    columns = ", ".join(names)
    found = connection.exec_driver_sql(
        f"INSERT INTO mentions ({columns}) SELECT {columns} FROM {incoming} ORDER BY ordinal "
        "ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id")
    return {(source, external_id): id_ for id_, source, external_id in found}


_SQLITE_ROWS_PER_STATEMENT = 500  # 20 columns: 10,000 parameters, well under SQLite's limit


def _insert_new_sqlite(connection: Connection, rows: list[dict]) -> dict[tuple[str, str], int]:
    """Multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING`` through the DB-API.

    One statement per few hundred rows: the new ids come back without a second
    query, and the full-text triggers flush their index once per statement
    rather than once per row. The values go through the columns' own bind
    processors (dates, JSON, booleans stored exactly as SQLAlchemy stores them),
    but not through SQLAlchemy's per-row parameter handling, which cost more
    than the insert itself.
    """
    names = list(rows[0])
    values = bound_values(connection, mentions, names, rows)
    one = f"({', '.join('?' * len(names))})"
    head = f"INSERT INTO mentions ({', '.join(names)}) VALUES "
    tail = " ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id"
    cursor = connection.connection.driver_connection.cursor()
    found: dict[tuple[str, str], int] = {}
    try:
        for start in range(0, len(values), _SQLITE_ROWS_PER_STATEMENT):
            part = values[start:start + _SQLITE_ROWS_PER_STATEMENT]
            cursor.execute(head + ", ".join([one] * len(part)) + tail, [v for row in part for v in row])
            found.update({(source, external_id): id_ for id_, source, external_id in cursor.fetchall()})
    finally:
        cursor.close()
    return found


def _row(mention: Mention, collected_at: datetime, story_key: str | None, hashes: dict[str, str]) -> dict:
    digest = hashes.get(mention.text)
    if digest is None:
        digest = hashes[mention.text] = text_hash(mention.text)
    return {
        "source": mention.source,
        "external_id": mention.external_id,
        "created_at": to_db(mention.created_at),
        "collected_at": collected_at,
        "author": mention.author,
        "author_followers": mention.author_followers,
        "text": mention.text,
        "title": mention.title,
        "url": mention.url,
        "lang": mention.lang,
        "likes": mention.likes,
        "reposts": mention.reposts,
        "replies": mention.replies,
        "views": mention.views,
        "is_repost": mention.is_repost,
        "is_reply": mention.is_reply,
        "parent_id": mention.parent_id,
        "text_hash": digest,
        "story_key": story_key,
        "raw": dict(mention.raw) if mention.raw is not None else None,
    }


def _refresh_metrics(connection: Connection, rows: list[dict]) -> None:
    from sqlalchemy import bindparam, func, update

    # A missing metric in a later read keeps the earlier value rather than erasing it.
    statement = (
        update(mentions)
        .where(mentions.c.id == bindparam("b_id"))
        .values({name: func.coalesce(bindparam(name), mentions.c[name]) for name in _REFRESHED})
    )
    connection.execute(statement, rows)


def author_rows(batch: Iterable[Mention]) -> list[dict]:
    """One ``authors`` row per (source, handle) of the batch, its fields merged (no database)."""
    rows: dict[tuple[str, str], dict] = {}
    for mention in batch:
        handle = mention.author
        if not handle:
            continue
        seen = to_db(mention.created_at)
        key = (mention.source, handle)
        row = rows.get(key)
        if row is None:  # the author's first mention in the batch
            rows[key] = {"source": mention.source, "handle": handle, "platform_id": mention.author_id or None,
                         "name": mention.author_name or None, "followers": mention.author_followers,
                         "first_seen": seen, "last_seen": seen}
            continue
        row["platform_id"] = mention.author_id or row["platform_id"]
        row["name"] = mention.author_name or row["name"]
        if mention.author_followers is not None:
            row["followers"] = mention.author_followers
        if seen < row["first_seen"]:
            row["first_seen"] = seen
        elif seen > row["last_seen"]:
            row["last_seen"] = seen
    return list(rows.values())


def _upsert_authors(connection: Connection, rows: Sequence[dict]) -> None:
    if not rows:
        return

    def keep_known(statement):  # a value missing now keeps the stored one; first/last seen widen
        excluded = statement.excluded
        return statement.on_conflict_do_update(
            index_elements=["source", "handle"],
            set_={
                "platform_id": case((excluded.platform_id.is_(None), authors.c.platform_id),
                                    else_=excluded.platform_id),
                "name": case((excluded.name.is_(None), authors.c.name), else_=excluded.name),
                "followers": case((excluded.followers.is_(None), authors.c.followers), else_=excluded.followers),
                "first_seen": case((excluded.first_seen < authors.c.first_seen, excluded.first_seen),
                                   else_=authors.c.first_seen),
                "last_seen": case((excluded.last_seen > authors.c.last_seen, excluded.last_seen),
                                  else_=authors.c.last_seen),
            },
        )

    upsert_many(connection, authors, rows, keep_known)


def sync_topics(connection: Connection, configured: Iterable[Mapping[str, str]]) -> dict[str, int]:
    """Make the topics table match the config (by name); returns {name: id}."""
    rows = [{"name": t["name"], "kind": t["kind"], "query": t["query"]} for t in configured]
    if rows:
        statement = insert(connection, topics)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"kind": statement.excluded.kind, "query": statement.excluded.query},
        )
        connection.execute(statement, rows)
    return {row.name: row.id for row in connection.execute(select(topics.c.name, topics.c.id))}


def store_matches(connection: Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """Rows of {topic_id, mention_id, created_at}; already-stored matches are kept as they are."""
    if rows:
        upsert_many(connection, matches, rows,
                    lambda statement: statement.on_conflict_do_nothing(index_elements=["topic_id", "mention_id"]))
