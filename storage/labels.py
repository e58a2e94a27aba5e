"""People's sentiment labels on stored mentions: write one, sample what to label next, read them back.

One label per mention (relabelling replaces it). Only mentions scored in a
language the pipeline scores are offered for labelling: a label is useful to
compare with a score (calibration, ``eval``) or to train on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from storage.schema import labels, matches, mentions, scores
from storage.times import to_db
from storage.upsert import insert

LABELS = ("negative", "neutral", "positive")
_IN_CHUNKS = 500


def record(connection: Connection, mention_id: int, label: str, now: datetime) -> None:
    """Store (or replace) a person's label for one mention."""
    if label not in LABELS:
        raise ValueError(f"label {label!r} is not one of {', '.join(LABELS)}")
    statement = insert(connection, labels).values(mention_id=mention_id, label=label,
                                                   labelled_at=to_db(now))
    statement = statement.on_conflict_do_update(
        index_elements=["mention_id"],
        set_={"label": statement.excluded.label, "labelled_at": statement.excluded.labelled_at},
    )
    connection.execute(statement)


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(labels)).scalar_one())


def unlabelled_candidates(connection: Connection, limit: int) -> Sequence[Row[Any]]:
    """Up to ``limit`` (mention id, topic id, created_at) of scored, unlabelled mentions, in random order."""
    query = (
        select(mentions.c.id, matches.c.topic_id, mentions.c.created_at)
        .join(scores, scores.c.mention_id == mentions.c.id)
        .outerjoin(matches, matches.c.mention_id == mentions.c.id)
        .outerjoin(labels, labels.c.mention_id == mentions.c.id)
        .where(labels.c.mention_id.is_(None), scores.c.label.in_(LABELS))
        .order_by(func.random())
        .limit(limit)
    )
    return connection.execute(query).all()


def mentions_by_id(connection: Connection, ids: Sequence[int]) -> dict[int, Row[Any]]:
    """What a person needs to label a mention: source, time, text, title, scored language."""
    found = {}
    for begin in range(0, len(ids), _IN_CHUNKS):
        chunk = ids[begin : begin + _IN_CHUNKS]
        for row in connection.execute(
            select(mentions.c.id, mentions.c.source, mentions.c.external_id,
                   mentions.c.created_at, mentions.c.author, mentions.c.text, mentions.c.title,
                   scores.c.lang)
            .outerjoin(scores, scores.c.mention_id == mentions.c.id)
            .where(mentions.c.id.in_(chunk))
        ):
            found[row.id] = row
    return found


def labelled(connection: Connection) -> Sequence[Row[Any]]:
    """Every labelled mention: id, source, external id, text, title, languages, label, time."""
    return connection.execute(
        select(mentions.c.id, mentions.c.source, mentions.c.external_id, mentions.c.text,
               mentions.c.title, mentions.c.lang, scores.c.lang.label("scored_lang"),
               labels.c.label, labels.c.labelled_at)
        .join(mentions, mentions.c.id == labels.c.mention_id)
        .outerjoin(scores, scores.c.mention_id == labels.c.mention_id)
        .order_by(labels.c.labelled_at, labels.c.mention_id)
    ).all()


def topics_of(connection: Connection, ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for begin in range(0, len(ids), _IN_CHUNKS):
        for mention_id, topic_id in connection.execute(
            select(matches.c.mention_id, matches.c.topic_id)
            .where(matches.c.mention_id.in_(ids[begin : begin + _IN_CHUNKS]))
        ):
            found.setdefault(mention_id, []).append(topic_id)
    return found


def confusion_counts(connection: Connection, scorer: str) -> dict[str, list[list[int]]]:
    """Per scored language: a 3x3 table, rows the person's label, columns the ``scorer``'s label.

    Read from the (few) labels, then their scores by key: as one join, SQLite's
    planner walked every score instead (a third of a second per call on a
    million mentions).
    """
    truth = {mention_id: label for mention_id, label in
             connection.execute(select(labels.c.mention_id, labels.c.label)) if label in LABELS}
    ids = list(truth)
    tables: dict[str, list[list[int]]] = {}
    for begin in range(0, len(ids), _IN_CHUNKS):
        for mention_id, lang, predicted in connection.execute(
            select(scores.c.mention_id, scores.c.lang, scores.c.label)
            .where(scores.c.mention_id.in_(ids[begin : begin + _IN_CHUNKS]), scores.c.scorer == scorer,
                   scores.c.label.in_(LABELS))
        ):
            table = tables.setdefault(lang, [[0] * 3 for _ in LABELS])
            table[LABELS.index(truth[mention_id])][LABELS.index(predicted)] += 1
    return tables


def topic_names(connection: Connection) -> dict[int, str]:
    from storage.schema import topics

    return {topic_id: name for topic_id, name in connection.execute(select(topics.c.id, topics.c.name))}
