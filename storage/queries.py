"""Reading mentions back: filters, sorts, full-text search, streaming in chunks.

Results stream with keyset pagination on (sort key, id), so an export of a
million rows holds one chunk in memory at a time, on SQLite and PostgreSQL.
The sort keys ``reach`` and ``engagement`` have expression indexes (migration
0003), so each chunk is an index range scan. ``negative`` reads in two parts:
the mentions with a compound score, most negative first, walking the partial
index ``ix_scores_negative_band`` band by band (:data:`NEGATIVE_BAND`, migration
0010_negative_sort_bands), then those without one (unscored, or not scored
yet), newest id first; together that is the order of ``coalesce(compound,
2.0), id DESC``.

Full-text search, newest first, on SQLite (``plan_search``) picks one of three
plans from how many mentions the words match (counted up to a cap, cheaply):

* ``candidates`` (at most ``SEARCH_FEW``): read the matches from FTS5, sort them;
* ``materialize`` (up to ``SEARCH_MANY``): walk the created_at index newest first,
  testing each id against the match set, built once in a temporary index;
* ``probe`` (more): the words are common, so walking the created_at index finds
  a page after a few hundred rows; each is checked against FTS5 by rowid.

On a million mentions every plan returns the first page of 50 in tens of
milliseconds (measured: tests/storage/test_queries.py notes the method).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)

from storage.schema import authors, matches, mentions, scores, topics
from storage.times import to_db

CHUNK = 1000


def _band(compound: ColumnElement) -> ColumnElement[int]:
    """The negative sort's index key (migration 0010), the same expression: a band of the
    compound that never decreases as it grows (0.01 wide, 0.0001 below -0.9)."""
    return case((compound < literal_column("-0.9"), cast(compound * literal_column("10000"), Integer)),
                else_=cast(compound * literal_column("100"), Integer))


NEGATIVE_BAND = _band(scores.c.compound)
SORTS = ("newest", "reach", "engagement", "negative")
KINDS = ("brand", "competitor", "industry")
SEARCH_FEW = 2_000
SEARCH_MANY = 150_000
# highlight markers: control characters never shown as such; the renderer turns them into styles
MARK_START, MARK_END = "\x02", "\x03"


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
    authors: Sequence[str] = ()  # handles, with or without a leading @
    kinds: Sequence[str] = ()  # brand | competitor | industry
    sort: str = "newest"  # newest | reach | engagement | negative
    offset: int = 0


def fts_phrase_query(words: str) -> str:
    """User words as an FTS5 query of quoted terms: no operator in user text is ever interpreted."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words.split())


def _searching(query: MentionQuery) -> bool:
    return bool(query.search and query.search.strip())


# Sort keys. Literal constants (not bound parameters) so SQLite matches the
# expression indexes of migration 0003.
def sort_key(name: str) -> ColumnElement:
    if name == "newest":
        return mentions.c.created_at
    if name == "reach":
        return func.coalesce(mentions.c.author_followers, literal_column("-1"))
    if name == "engagement":
        zero = literal_column("0")
        return (func.coalesce(mentions.c.likes, zero) + func.coalesce(mentions.c.reposts, zero)
                + func.coalesce(mentions.c.replies, zero))
    if name == "negative":  # most negative first; unscored last
        return func.coalesce(scores.c.compound, literal_column("2.0"))
    raise ValueError(f"unknown sort {name!r}; use one of {', '.join(SORTS)}")


def _ascending(name: str) -> bool:
    return name == "negative"


def _fts_match_sqlite(query: MentionQuery, *, materialize: bool = False) -> ColumnElement:
    # ``+id`` keeps SQLite from driving the query from the match list, so it walks created_at
    column = literal_column("+mentions.id") if materialize else mentions.c.id
    return column.in_(
        select(literal_column("rowid")).select_from(text("mentions_fts"))
        .where(text("mentions_fts MATCH :fts").bindparams(fts=fts_phrase_query(query.search or "")))
    )


def _fts_probe_sqlite(query: MentionQuery) -> ColumnElement:
    """Per-row check against FTS5 by rowid: cheap when walking another index."""
    return exists(
        select(literal_column("1")).select_from(text("mentions_fts"))
        .where(text("mentions_fts MATCH :fts").bindparams(fts=fts_phrase_query(query.search or "")),
               literal_column("mentions_fts.rowid") == mentions.c.id)
    )


def plan_search(connection: Connection, query: MentionQuery) -> str:
    """``candidates``, ``materialize`` or ``probe``: see the module docstring."""
    if connection.dialect.name != "sqlite" or not _searching(query) or query.sort != "newest":
        return "candidates"
    found = connection.execute(
        text("SELECT count(*) FROM (SELECT 1 FROM mentions_fts WHERE mentions_fts MATCH :fts LIMIT :cap)"),
        {"fts": fts_phrase_query(query.search or ""), "cap": SEARCH_MANY + 1},
    ).scalar_one()
    if found <= SEARCH_FEW:
        return "candidates"
    return "materialize" if found <= SEARCH_MANY else "probe"


def _base(connection: Connection, query: MentionQuery, *, search_plan: str = "candidates",
          scored_only: bool = False) -> Select:
    lang = func.coalesce(scores.c.lang, mentions.c.lang).label("lang")
    on_score = scores.c.mention_id == mentions.c.id
    statement = select(
        mentions.c.id, mentions.c.source, mentions.c.external_id, mentions.c.url, mentions.c.author,
        mentions.c.author_followers, mentions.c.created_at, mentions.c.title, mentions.c.text, lang,
        scores.c.label.label("sentiment"), scores.c.compound, mentions.c.likes, mentions.c.reposts,
        mentions.c.replies,
    ).select_from(mentions.join(scores, on_score) if scored_only else mentions.outerjoin(scores, on_score))
    conditions = []
    if query.topics or query.kinds:
        wanted = select(topics.c.id)
        if query.topics:
            wanted = wanted.where(topics.c.name.in_(query.topics))
        if query.kinds:
            wanted = wanted.where(topics.c.kind.in_(query.kinds))
        conditions.append(exists().where(
            matches.c.mention_id == mentions.c.id, matches.c.topic_id.in_(wanted),
        ))
    if query.sources:
        conditions.append(mentions.c.source.in_(query.sources))
    if query.authors:
        conditions.append(mentions.c.author.in_([a.strip().lstrip("@") for a in query.authors]))
    if query.since:
        conditions.append(mentions.c.created_at >= to_db(query.since))
    if query.until:
        conditions.append(mentions.c.created_at < to_db(query.until))
    if query.sentiment:
        conditions.append(scores.c.label == query.sentiment)
    if query.lang:
        conditions.append(lang == query.lang)
    if _searching(query):
        if connection.dialect.name == "sqlite":
            conditions.append(_fts_probe_sqlite(query) if search_plan == "probe" else
                              _fts_match_sqlite(query, materialize=search_plan == "materialize"))
        else:
            conditions.append(literal_column("mentions.search").op("@@")(
                func.plainto_tsquery("simple", query.search)))
    return statement.where(and_(*conditions)) if conditions else statement


def _ordered(statement: Select, sort: str) -> Select:
    key = sort_key(sort)
    return statement.add_columns(key.label("sort_key")).order_by(
        key.asc() if _ascending(sort) else key.desc(), mentions.c.id.desc()
    )


def _after(sort: str, value: Any, mention_id: int) -> ColumnElement:
    key = sort_key(sort)
    beyond = key > value if _ascending(sort) else key < value
    return or_(beyond, and_(key == value, mentions.c.id < mention_id))


def mention_statement(connection: Connection, query: MentionQuery, *, search_plan: str | None = None) -> Select:
    """The first page's SELECT, e.g. for ``EXPLAIN QUERY PLAN``."""
    plan = search_plan or plan_search(connection, query)
    if query.sort == "negative" and not query.offset:
        statement = _scored_most_negative(connection, query, plan)
    else:
        statement = _ordered(_base(connection, query, search_plan=plan), query.sort)
    if query.limit is not None:
        statement = statement.limit(min(query.limit, CHUNK))
    if query.offset:
        statement = statement.offset(query.offset)
    return statement


def iter_mentions(connection: Connection, query: MentionQuery, *, chunk: int = CHUNK) -> Iterator[dict[str, Any]]:
    """Rows in ``query.sort`` order, each a dict with its topic names; streams in chunks."""
    if query.sort not in SORTS:
        raise ValueError(f"unknown sort {query.sort!r}; use one of {', '.join(SORTS)}")
    plan = plan_search(connection, query)
    if query.sort == "negative":
        yield from _iter_negative(connection, query, plan, chunk)
        return
    base = _ordered(_base(connection, query, search_plan=plan), query.sort)
    yield from _pages(connection, base, lambda value, last_id: _after(query.sort, value, last_id),
                      limit=query.limit, offset=query.offset, chunk=chunk)


def _pages(connection: Connection, base: Select, after: Any, *, limit: int | None, offset: int,
           chunk: int) -> Iterator[dict[str, Any]]:
    """Keyset pagination: each chunk starts where the previous one ended, ``after(sort_key, id)``."""
    remaining = limit
    last: tuple[Any, int] | None = None
    while remaining is None or remaining > 0:
        size = chunk if remaining is None else min(chunk, remaining)
        statement = base.limit(size)
        if last is not None:
            statement = statement.where(after(*last))
        elif offset:
            statement = statement.offset(offset)
        rows = [dict(row._mapping) for row in connection.execute(statement)]
        if not rows:
            return
        last = (rows[-1]["sort_key"], rows[-1]["id"])
        yield from _with_topics(connection, rows)
        if len(rows) < size:
            return
        if remaining is not None:
            remaining -= len(rows)


def _scored_most_negative(connection: Connection, query: MentionQuery, plan: str) -> Select:
    compound = scores.c.compound
    return (_base(connection, query, search_plan=plan, scored_only=True)
            .where(compound.is_not(None)).add_columns(compound.label("sort_key"))
            .order_by(NEGATIVE_BAND.asc(), compound.asc(), scores.c.mention_id.desc()))


def _after_negative(value: float, last_id: int) -> ColumnElement:
    """The scored mentions after ``(value, last_id)``; the band bound lets the next page seek in the index."""
    compound = scores.c.compound
    # the band of the value, computed by the database (which rounds or truncates as the index does)
    return and_(_band(literal(value, Float)) <= NEGATIVE_BAND,
                or_(compound > value, and_(compound == value, scores.c.mention_id < last_id)))


def _iter_negative(connection: Connection, query: MentionQuery, plan: str, chunk: int) -> Iterator[dict[str, Any]]:
    """Scored mentions by compound ascending (the banded index, band by band), then the rest by id descending."""
    if query.offset:  # an offset may fall in either part: one sorted cursor over both
        base = _ordered(_base(connection, query, search_plan=plan), query.sort)
        yield from _iter_cursor(connection, query, base, chunk)
        return
    compound = scores.c.compound
    sent = 0
    for row in _pages(connection, _scored_most_negative(connection, query, plan), _after_negative,
                      limit=query.limit, offset=0, chunk=chunk):
        sent += 1
        yield row
    if query.limit is not None and sent >= query.limit:
        return
    rest = (_base(connection, query, search_plan=plan).where(compound.is_(None))
            .add_columns(mentions.c.id.label("sort_key")).order_by(mentions.c.id.desc()))
    yield from _pages(connection, rest, lambda _value, last_id: mentions.c.id < last_id,
                      limit=None if query.limit is None else query.limit - sent, offset=0, chunk=chunk)


def _iter_cursor(connection: Connection, query: MentionQuery, base: Select, chunk: int) -> Iterator[dict[str, Any]]:
    statement = base
    if query.limit is not None:
        statement = statement.limit(query.limit)
    if query.offset:
        statement = statement.offset(query.offset)
    result = connection.execution_options(stream_results=True, yield_per=chunk).execute(statement)
    try:
        for part in result.partitions(chunk):
            yield from _with_topics(connection, [dict(row._mapping) for row in part])
    finally:
        result.close()


def _with_topics(connection: Connection, rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    names = topic_names(connection, [row["id"] for row in rows])
    for row in rows:
        row.pop("sort_key", None)
        row["topics"] = names.get(row["id"], [])
        yield row


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


def highlights(connection: Connection, search: str, mention_ids: Sequence[int]) -> dict[int, str]:
    """Mention text with the search matches between MARK_START and MARK_END, by mention id.

    Uses the database's own matcher (FTS5 ``highlight()``, PostgreSQL ``ts_headline``), so what
    is marked is exactly what matched.
    """
    if not mention_ids or not search.strip():
        return {}
    if connection.dialect.name == "sqlite":
        statement = text(
            "SELECT rowid, highlight(mentions_fts, 0, :start, :end) FROM mentions_fts "
            "WHERE mentions_fts MATCH :fts AND rowid IN (SELECT value FROM json_each(:ids))"
        )
        import json

        rows = connection.execute(statement, {"start": MARK_START, "end": MARK_END,
                                              "fts": fts_phrase_query(search), "ids": json.dumps(list(mention_ids))})
    else:
        statement = (
            select(mentions.c.id, func.ts_headline(
                "simple", mentions.c.text, func.plainto_tsquery("simple", search),
                f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"))
            .where(mentions.c.id.in_(list(mention_ids)))
        )
        rows = connection.execute(statement)
    return {row[0]: row[1] for row in rows if row[1] is not None}


def count_mentions(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(mentions)).scalar_one()


# --- authors ------------------------------------------------------------------------------

AUTHOR_SORTS = ("reach", "mentions", "engagement", "negative")
_OPEN_START, _OPEN_END = datetime(1, 1, 1), datetime(9999, 12, 31)  # before and after any mention


@dataclass(frozen=True)
class AuthorQuery:
    topics: Sequence[str] = ()
    kinds: Sequence[str] = ()
    sources: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    sort: str = "reach"  # reach | mentions | engagement | negative
    limit: int | None = 50


def iter_authors(connection: Connection, query: AuthorQuery) -> Iterator[dict[str, Any]]:
    """Authors of matching mentions: reach (followers), mentions, engagement, sentiment."""
    if query.sort not in AUTHOR_SORTS:
        raise ValueError(f"unknown sort {query.sort!r}; use one of {', '.join(AUTHOR_SORTS)}")
    zero = literal_column("0")
    engagement = (func.coalesce(mentions.c.likes, zero) + func.coalesce(mentions.c.reposts, zero)
                  + func.coalesce(mentions.c.replies, zero))
    followers = func.coalesce(func.max(authors.c.followers), func.max(mentions.c.author_followers))
    negative = func.sum(func.coalesce((scores.c.label == "negative").cast(mentions.c.id.type), zero))
    positive = func.sum(func.coalesce((scores.c.label == "positive").cast(mentions.c.id.type), zero))
    columns = {
        "reach": followers.label("followers"),
        "mentions": func.count(mentions.c.id).label("mentions"),
        "engagement": func.sum(engagement).label("engagement"),
        "negative": negative.label("negative"),
    }
    statement = (
        select(
            mentions.c.source, mentions.c.author, func.max(authors.c.name).label("name"),
            columns["reach"], columns["mentions"], columns["engagement"],
            positive.label("positive"), columns["negative"],
            func.avg(scores.c.compound).label("compound"),
            func.max(mentions.c.created_at).label("last_seen"),
        )
        .select_from(
            mentions.outerjoin(scores, scores.c.mention_id == mentions.c.id)
            .outerjoin(authors, and_(authors.c.source == mentions.c.source, authors.c.handle == mentions.c.author))
        )
        .where(mentions.c.author.is_not(None))
        .group_by(mentions.c.source, mentions.c.author)
    )
    if query.topics or query.kinds:
        wanted = select(topics.c.id)
        if query.topics:
            wanted = wanted.where(topics.c.name.in_(query.topics))
        if query.kinds:
            wanted = wanted.where(topics.c.kind.in_(query.kinds))
        statement = statement.where(exists().where(
            matches.c.mention_id == mentions.c.id, matches.c.topic_id.in_(wanted)))
    if query.sources:
        statement = statement.where(mentions.c.source.in_(query.sources))
    if query.since or query.until:
        # Always both ends: SQLite's planner (Python's build keeps no histograms) takes a
        # one-sided range for a quarter of the table, and would rather walk the author index
        # in group order over the whole history than sort a week's authors. An open end is
        # bounded where no mention is, so the same rows are selected.
        statement = statement.where(
            mentions.c.created_at >= to_db(query.since or _OPEN_START),
            mentions.c.created_at < to_db(query.until or _OPEN_END))
    key = columns[query.sort]
    statement = statement.order_by(func.coalesce(key, literal_column("-1")).desc(),
                                   columns["mentions"].desc(), mentions.c.source, mentions.c.author)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    for row in connection.execute(statement):
        record = dict(row._mapping)
        record["compound"] = None if record["compound"] is None else round(float(record["compound"]), 4)
        yield record


__all__ = [
    "AUTHOR_SORTS",
    "CHUNK",
    "KINDS",
    "MARK_END",
    "MARK_START",
    "SORTS",
    "AuthorQuery",
    "MentionQuery",
    "count_mentions",
    "fts_phrase_query",
    "highlights",
    "iter_authors",
    "iter_mentions",
    "mention_statement",
    "plan_search",
    "topic_names",
]
