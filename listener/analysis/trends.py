"""Per-topic figures for a period: volume, authors, reach, engagement, sentiment, share of voice.

Every figure comes with the counts behind it (DESIGN.md principle 5) and is a
group-by over ``matches(topic_id, created_at)`` for the period only, joined to
``mentions`` and ``scores`` by primary key.

* volume = positive + neutral + negative + unscored + pending (not scored yet)
* net sentiment = (positive − negative) / (positive + neutral + negative)
* reach = sum over distinct authors of their largest follower count in the period
* share of voice = volume / total volume of the brand and competitor topics asked for
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, case, func, select

from listener.analysis.common import (
    as_date,
    count_label,
    count_pending,
    engagement,
    net,
    reach_weight,
    resolve_topics,
)
from listener.analysis.period import Period, previous
from storage.schema import matches, mentions, scores

LABELS = ("positive", "neutral", "negative", "unscored")


@dataclass
class TopicStats:
    topic: str
    kind: str
    volume: int
    previous_volume: int
    change: float | None  # (volume - previous) / previous; None when previous == 0
    unique_authors: int
    reach: int
    engagement: int
    positive: int
    neutral: int
    negative: int
    unscored: int
    net_sentiment: float | None
    share_of_voice: float | None  # brand + competitors in the list; None for industry topics
    previous_net_sentiment: float | None
    previous_share_of_voice: float | None
    pending: int = 0  # matched but not scored yet
    previous_positive: int = 0
    previous_negative: int = 0
    previous_scored: int = 0
    voice_total: int = 0  # the denominator of share_of_voice
    previous_voice_total: int = 0

    @property
    def scored(self) -> int:
        return self.positive + self.neutral + self.negative


def _in_period(topic_ids: Sequence[int], period: Period):
    return and_(matches.c.topic_id.in_(topic_ids), matches.c.created_at >= period.start,
                matches.c.created_at < period.end)


def _aggregate(connection: Connection, topic_ids: Sequence[int], period: Period) -> dict[int, dict]:
    """One pass over the period: per (topic, source, author) first, then per topic.

    Rows without an author form their own (source, NULL) groups: counted in every
    figure but ``unique_authors`` and ``reach``.
    """
    per_author = (
        select(
            matches.c.topic_id,
            mentions.c.author,
            func.count().label("volume"),
            func.coalesce(func.sum(engagement()), 0).label("engagement"),
            *(count_label(label).label(label) for label in LABELS),
            count_pending().label("pending"),
            func.max(func.coalesce(mentions.c.author_followers, 0)).label("followers"),
        )
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(_in_period(topic_ids, period))
        .group_by(matches.c.topic_id, mentions.c.source, mentions.c.author)
        .subquery()
    )
    query = (
        select(
            per_author.c.topic_id,
            func.sum(per_author.c.volume).label("volume"),
            func.count(per_author.c.author).label("unique_authors"),
            func.sum(per_author.c.engagement).label("engagement"),
            *(func.sum(per_author.c[label]).label(label) for label in LABELS),
            func.sum(per_author.c.pending).label("pending"),
            func.coalesce(func.sum(case((per_author.c.author.is_not(None), per_author.c.followers),
                                        else_=0)), 0).label("reach"),
        )
        .group_by(per_author.c.topic_id)
    )
    return {row.topic_id: dict(row._mapping) for row in connection.execute(query)}


def topic_stats(connection: Connection, topics: Sequence[str], period: Period) -> list[TopicStats]:
    """Figures for each topic (in the order given) over ``period``, compared with the one before."""
    rows = resolve_topics(connection, topics)
    ids = [row.id for row in rows]
    before = previous(period)
    now, then = _aggregate(connection, ids, period), _aggregate(connection, ids, before)
    voiced = [row.id for row in rows if row.kind in ("brand", "competitor")]
    voice_now = sum(int(now.get(i, {}).get("volume", 0)) for i in voiced)
    voice_then = sum(int(then.get(i, {}).get("volume", 0)) for i in voiced)
    stats = []
    for row in rows:
        cur, old = now.get(row.id, {}), then.get(row.id, {})

        def get(d: dict, key: str) -> int:
            return int(d.get(key) or 0)

        volume, prev = get(cur, "volume"), get(old, "volume")
        pos, neu, neg = get(cur, "positive"), get(cur, "neutral"), get(cur, "negative")
        ppos, pneu, pneg = get(old, "positive"), get(old, "neutral"), get(old, "negative")
        has_voice = row.kind in ("brand", "competitor")
        stats.append(TopicStats(
            topic=row.name, kind=row.kind, volume=volume, previous_volume=prev,
            change=(volume - prev) / prev if prev else None,
            unique_authors=get(cur, "unique_authors"), reach=get(cur, "reach"),
            engagement=get(cur, "engagement"), positive=pos, neutral=neu, negative=neg,
            unscored=get(cur, "unscored"), net_sentiment=net(pos, neg, pos + neu + neg),
            share_of_voice=volume / voice_now if has_voice and voice_now else None,
            previous_net_sentiment=net(ppos, pneg, ppos + pneu + pneg),
            previous_share_of_voice=prev / voice_then if has_voice and voice_then else None,
            pending=get(cur, "pending"), previous_positive=ppos, previous_negative=pneg,
            previous_scored=ppos + pneu + pneg,
            voice_total=voice_now if has_voice else 0,
            previous_voice_total=voice_then if has_voice else 0,
        ))
    return stats


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
    """The strongest ``label`` mentions of the topics in ``period``.

    Ranked by |compound| × log10(10 + followers), one per text (retweets and
    copies count once). Candidates are the ``candidates`` strongest and the
    ``candidates`` widest-reaching of that label, so the ranking reads two small
    index-ordered lists, never the whole week.
    """
    rows = resolve_topics(connection, topics)
    names = {row.id: row.name for row in rows}
    columns = [
        mentions.c.id.label("mention_id"), mentions.c.source, mentions.c.external_id,
        mentions.c.url, mentions.c.author, mentions.c.author_followers.label("followers"),
        mentions.c.text, mentions.c.title, mentions.c.created_at, mentions.c.text_hash,
        scores.c.compound, scores.c.label, scores.c.lang, matches.c.topic_id,
        engagement().label("engagement"),
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
    out, seen = [], set()
    for item in ranked:
        if item["text_hash"] in seen:
            continue
        seen.add(item["text_hash"])
        item["topics"] = sorted(item.pop("topics"))
        item.pop("topic_id")
        item["followers"] = int(item["followers"] or 0)
        out.append(item)
        if len(out) >= limit:
            break
    return out
