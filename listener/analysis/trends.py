"""Per-topic figures for a period: mentions, stories, authors, reach, engagement, sentiment.

Copies of one story (same ``mentions.story_key``; a mention without one is its own
story) count once: ``stories``, share of voice and the sentiment counts are over
stories, each story taking the sentiment of its first copy; ``mentions`` counts
every stored copy. Every figure is a group-by over ``matches(topic_id, created_at)``
for the period only (the cost grows with the week, not the history), joined to
``mentions`` and ``scores`` by primary key:

* reach = sum over distinct authors of their largest follower count in the period;
* engagement = likes + reposts + replies of every copy;
* share of voice = stories / stories of the brand and competitor topics asked for;
* sentiment: story counts per (label, language, scorer) from one group-by, turned
  into raw counts and a net estimate by :mod:`listener.analysis.sentiment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    and_,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)

from listener.analysis import sentiment
from listener.analysis.common import (
    as_date,
    count_label,
    engagement,
    reach_weight,
    resolve_topics,
    story,
)
from listener.analysis.copies import one_per_story, with_copies
from listener.analysis.period import Period
from reports.figures import PeriodFigures
from storage.schema import matches, mentions, scores

LABELS = ("positive", "neutral", "negative", "unscored")
VOICED = ("brand", "competitor")


def _in_period(topic_ids: Sequence[int], period: Period):
    return and_(matches.c.topic_id.in_(topic_ids), matches.c.created_at >= period.start,
                matches.c.created_at < period.end)


def story_rows(topic_ids: Sequence[int], period: Period, *columns: Any):
    """The period's matched rows with ``copy_number`` (1 = the story's first copy in the topic)."""
    copy_number = func.row_number().over(
        partition_by=(matches.c.topic_id, story()),
        order_by=(mentions.c.created_at, mentions.c.id))
    return (
        select(matches.c.topic_id, mentions.c.id.label("mention_id"),
               mentions.c.source, mentions.c.author, mentions.c.author_followers,
               engagement().label("engagement"), scores.c.label, scores.c.lang, scores.c.scorer,
               copy_number.label("copy_number"), *columns)
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(_in_period(topic_ids, period))
    )


@dataclass
class _Figures:
    """What one group-by pass gives for a topic and period."""
    volumes: dict[str, int] = field(default_factory=dict)
    sentiment: dict[tuple, int] = field(default_factory=dict)  # (label, lang, scorer) -> stories


def _figures(connection: Connection, topic_ids: Sequence[int], period: Period) -> dict[int, _Figures]:
    """Volumes and sentiment counts per topic, from one read of the period's rows.

    The rows (the period's matches joined to mentions and scores) are a common table
    expression used twice, which SQLite and PostgreSQL materialise: the join runs once.
    Volumes are per (topic, source, author) first, then per topic. Rows without an author
    form their own (source, NULL) groups: counted in every figure but ``authors`` and
    ``reach``. Sentiment: stories per (label, language, scorer), over the first copies.
    One query per period: a query over several periods must number copies within each,
    and the period expression in its window's partition costs more than a second query.
    """
    rows = story_rows(topic_ids, period).cte("story_rows")
    first = case((rows.c.copy_number == 1, 1), else_=0)
    per_author = (
        select(rows.c.topic_id, rows.c.author, func.count().label("mentions"),
               func.sum(first).label("stories"),
               func.coalesce(func.sum(rows.c.engagement), 0).label("engagement"),
               func.max(func.coalesce(rows.c.author_followers, 0)).label("followers"))
        .group_by(rows.c.topic_id, rows.c.source, rows.c.author)
        .subquery()
    )
    nothing = null()
    volumes = (
        select(literal("v").label("part"), per_author.c.topic_id,
               nothing.label("label"), nothing.label("lang"), nothing.label("scorer"),
               func.sum(per_author.c.mentions).label("mentions"),
               func.sum(per_author.c.stories).label("stories"),
               func.count(per_author.c.author).label("authors"),
               func.sum(per_author.c.engagement).label("engagement"),
               func.coalesce(func.sum(case((per_author.c.author.is_not(None),
                                            per_author.c.followers), else_=0)), 0).label("reach"))
        .group_by(per_author.c.topic_id)
    )
    sentiment = (
        select(literal("s"), rows.c.topic_id, rows.c.label, rows.c.lang, rows.c.scorer,
               func.count(), nothing, nothing, nothing, nothing)
        .where(rows.c.copy_number == 1)
        .group_by(rows.c.topic_id, rows.c.label, rows.c.lang, rows.c.scorer)
    )
    query = union_all(volumes, sentiment).order_by("part", "topic_id", "label", "lang", "scorer")
    found: dict[int, _Figures] = {}
    for row in connection.execute(query):
        figures = found.setdefault(int(row.topic_id), _Figures())
        if row.part == "v":
            figures.volumes = {name: int(row._mapping[name] or 0) for name in VOLUMES}
        else:
            figures.sentiment[(row.label, row.lang, row.scorer)] = int(row.mentions)
    return found


VOLUMES = ("mentions", "stories", "authors", "engagement", "reach")


def period_figures(connection: Connection, topics: Sequence[str], period: Period, *,
                   voiced: Sequence[str] | None = None) -> list[PeriodFigures]:
    """Figures of each topic (in the order given) over ``period``.

    Share of voice is over the brand and competitor topics among ``voiced`` (default:
    the topics given), so a single topic's share can be asked for without the rest.
    """
    rows = resolve_topics(connection, [*topics, *(voiced or ())])
    shown = resolve_topics(connection, topics)
    voice_rows = [r for r in (resolve_topics(connection, voiced) if voiced is not None else shown)
                  if r.kind in VOICED]
    found = _figures(connection, [row.id for row in rows], period)
    calibrations = sentiment.calibrations_for(connection)
    empty = _Figures()
    volumes = {row.id: found.get(row.id, empty).volumes for row in rows}
    voice_total = sum(volumes[r.id].get("stories", 0) for r in voice_rows)
    figures = []
    for row in shown:
        get = partial(_count, volumes[row.id])
        has_voice = row.kind in VOICED
        figures.append(PeriodFigures(
            topic=row.name, kind=row.kind, week=period.label, mentions=get("mentions"),
            stories=get("stories"), authors=get("authors"), reach=get("reach"),
            engagement=get("engagement"),
            share_of_voice=get("stories") / voice_total if has_voice and voice_total else None,
            sentiment=sentiment.figures(found.get(row.id, empty).sentiment, calibrations),
            voice_total=voice_total if has_voice else 0))
    return figures


def _count(figures: dict, key: str) -> int:
    return int(figures.get(key) or 0)


def daily_series(connection: Connection, topics: Sequence[str], period: Period) -> pd.DataFrame:
    """One row per (day, topic) of ``period``, days without mentions included as zeros.

    Columns: day, topic, volume, positive, neutral, negative, unscored, net_sentiment.
    """
    rows = resolve_topics(connection, topics)
    names = {row.id: row.name for row in rows}
    day = func.date(matches.c.created_at)
    query = (
        select(matches.c.topic_id, day.label("day"), func.count().label("volume"),
               *(count_label(label).label(label) for label in LABELS))
        .select_from(matches.outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(_in_period(list(names), period))
        .group_by(matches.c.topic_id, day)
    )
    found = pd.DataFrame(
        [(as_date(r.day), names[r.topic_id], r.volume, *(r._mapping[lb] for lb in LABELS))
         for r in connection.execute(query)],
        columns=["day", "topic", "volume", *LABELS],
    )
    grid = pd.DataFrame([(d, row.name) for row in rows for d in period.days],
                        columns=["day", "topic"])
    frame = grid.merge(found, on=["day", "topic"], how="left")
    counts = ["volume", *LABELS]
    frame[counts] = frame[counts].fillna(0).astype(int)
    scored = frame["positive"] + frame["neutral"] + frame["negative"]
    frame["net_sentiment"] = ((frame["positive"] - frame["negative"]) / scored.where(scored > 0))
    frame["net_sentiment"] = frame["net_sentiment"].astype(object).where(scored > 0, None)
    return frame.sort_values(["topic", "day"], kind="stable").reset_index(drop=True)


def top_mentions(
    connection: Connection,
    topics: Sequence[str],
    period: Period,
    *,
    label: str,
    limit: int = 5,
    candidates: int = 100,
) -> list[dict[str, Any]]:
    """The strongest ``label`` stories of the topics in ``period``.

    Ranked by |compound| × log10(10 + followers); one row per story (and per text:
    retweets count once), with ``copies`` and the first copy's link. Candidates are
    the ``candidates`` strongest and the ``candidates`` widest-reaching of that label,
    so the ranking reads two small index-ordered lists, never the whole week.
    """
    rows = resolve_topics(connection, topics)
    names = {row.id: row.name for row in rows}
    columns = [
        mentions.c.id.label("mention_id"), mentions.c.source, mentions.c.external_id,
        mentions.c.url, mentions.c.author, mentions.c.author_followers.label("followers"),
        mentions.c.text, mentions.c.title, mentions.c.created_at, mentions.c.text_hash,
        story().label("story"), scores.c.compound, scores.c.label, scores.c.lang,
        matches.c.topic_id, engagement().label("engagement"),
    ]
    base = (
        select(*columns)
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .join(scores, scores.c.mention_id == matches.c.mention_id))
        .where(_in_period(list(names), period), scores.c.label == label)
    )
    found: dict[int, dict[str, Any]] = {}
    for order in (func.abs(scores.c.compound).desc(),
                  func.coalesce(mentions.c.author_followers, 0).desc()):
        for row in connection.execute(base.order_by(order, mentions.c.id).limit(candidates)):
            item = found.setdefault(row.mention_id, dict(row._mapping))
            item.setdefault("topics", set()).add(names[row.topic_id])
    ranked = sorted(
        found.values(),
        key=lambda m: (-abs(m["compound"] or 0) * reach_weight(m["followers"]), -m["mention_id"]),
    )
    out = one_per_story(ranked, limit)
    for item in out:
        item["topics"] = sorted(item.pop("topics"))
        item.pop("topic_id")
        item["followers"] = int(item["followers"] or 0)
    return with_copies(connection, out, list(names), period.start, period.end)


def unscored_by_language(connection: Connection, names: list[str], period: Period) -> dict[str, int]:
    """Mentions of the topics in ``period`` left unscored, per language ("" when unknown)."""
    ids = [r.id for r in resolve_topics(connection, names)]
    query = (select(scores.c.lang, func.count(func.distinct(matches.c.mention_id)))
             .select_from(matches.join(scores, scores.c.mention_id == matches.c.mention_id))
             .where(matches.c.topic_id.in_(ids), scores.c.label == "unscored",
                    matches.c.created_at >= period.start, matches.c.created_at < period.end)
             .group_by(scores.c.lang))
    return {lang or "": int(count) for lang, count in connection.execute(query)}
