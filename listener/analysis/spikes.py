"""Spikes: a day whose volume is far above the same topic's recent normal.

The rule, stated in every alert (every figure can be traced: docs/architecture.md)::

    baseline  = median of the topic's daily volumes over the previous ``lookback_days``
    mad       = median absolute deviation of those days from the baseline
    threshold = baseline + k · max(mad, 1)
    spike     ⇔ observed > threshold and observed ≥ min_volume

Days before the topic's first mention in the look-back window are left out of
the baseline (a new topic has no history, not a history of zeros), and at least
``min_history`` days of history are required. The floor of 1 on the MAD keeps a
perfectly flat baseline from turning every small rise into a spike.

Cooldown: an event lasting several days is reported once. :func:`new_spikes`
drops spikes of a topic that already had one reported within ``cooldown`` days
before (looked up in ``alerts_sent`` with kind ``"spike"``), and
:func:`mark_reported` records the ones that were shown or sent. Typical use::

    fresh = new_spikes(conn, detect_spikes(conn, topics, day), channel="digest")
    ...show or send them...
    mark_reported(conn, fresh, channel="digest")
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, DateTime, and_, func, literal, select, true, union_all

from listener.analysis.common import as_date, engagement, resolve_topics, story
from listener.analysis.copies import one_per_story, with_copies
from listener.analysis.period import Period
from listener.analysis.period import day as day_period
from storage.schema import alerts_sent, matches, mentions, scores, topics
from storage.times import utcnow
from storage.upsert import insert

KIND = "spike"


@dataclass
class Spike:
    topic: str
    day: date
    observed: int
    baseline: float  # median daily volume of the look-back days
    threshold: float  # baseline + k * max(mad, 1)
    mad: float
    top_posts: list[dict[str, Any]] = field(default_factory=list)
    k: float = 3.0
    history_days: int = 0  # how many days the baseline was computed from

    @property
    def key(self) -> str:
        return self.day.isoformat()

    def explain(self) -> str:
        return (f"{self.topic} on {self.day}: {self.observed} mentions vs a median of "
                f"{self.baseline:g} over {self.history_days} days (MAD {self.mad:g}); "
                f"threshold {self.threshold:g} = median + {self.k:g}·max(MAD, 1)")


def _days(period_or_day: Period | date | datetime) -> list[date]:
    if isinstance(period_or_day, Period):
        return period_or_day.days
    if isinstance(period_or_day, datetime):
        return [period_or_day.date()]
    return [period_or_day]


def daily_counts(connection: Connection, topic_ids: Sequence[int], first: date,
                 last: date) -> dict[int, dict[date, int]]:
    """Mentions per topic and day, ``first`` … ``last``; days without any are left out.

    One count per (topic, day) over its own range of ``matches(topic_id, created_at)``:
    no per-row date arithmetic and no grouping, whatever the length of the history.
    """
    counts: dict[int, dict[date, int]] = {i: {} for i in topic_ids}
    starts = [datetime.combine(first + timedelta(days=i), datetime.min.time())
              for i in range((last - first).days + 1)]
    if not topic_ids or not starts:
        return counts
    days = union_all(*(select(literal(start, DateTime).label("start"),
                              literal(start + timedelta(days=1), DateTime).label("end"))
                       for start in starts)).subquery("days")
    per_day = (select(func.count()).select_from(matches)
               .where(matches.c.topic_id == topics.c.id, matches.c.created_at >= days.c.start,
                      matches.c.created_at < days.c.end)
               .scalar_subquery())
    query = (select(topics.c.id, days.c.start, per_day)
             .select_from(topics.join(days, true()))  # every (topic, day)
             .where(topics.c.id.in_(topic_ids)))
    for topic_id, start, count in connection.execute(query):
        if count:
            counts[topic_id][as_date(start)] = int(count)
    return counts


def evaluate_day(series: dict[date, int], day: date, *, k: float, min_volume: int,
                 lookback_days: int, min_history: int) -> tuple[bool, float, float, float, int]:
    """(is_spike, baseline, mad, threshold, history_days) for one topic and day."""
    window = [day - timedelta(days=i) for i in range(lookback_days, 0, -1)]
    seen = [d for d in window if series.get(d, 0) > 0]
    if not seen:
        return False, 0.0, 0.0, 0.0, 0
    history = [series.get(d, 0) for d in window if d >= seen[0]]
    baseline = float(statistics.median(history))
    mad = float(statistics.median(abs(x - baseline) for x in history))
    threshold = baseline + k * max(mad, 1.0)
    observed = series.get(day, 0)
    spike = len(history) >= min_history and observed >= min_volume and observed > threshold
    return spike, baseline, mad, threshold, len(history)


def top_posts(connection: Connection, topic_id: int, day: date, limit: int = 3) -> list[dict]:
    """The widest-reaching stories of a topic on a day (one post each): what the spike is made of."""
    period = day_period(day)
    query = (
        select(mentions.c.id.label("mention_id"), mentions.c.source, mentions.c.external_id,
               mentions.c.url, mentions.c.author, mentions.c.author_followers.label("followers"),
               mentions.c.text, mentions.c.title, mentions.c.created_at, mentions.c.text_hash,
               story().label("story"), engagement().label("engagement"), scores.c.label,
               scores.c.compound)
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(matches.c.topic_id == topic_id, matches.c.created_at >= period.start,
               matches.c.created_at < period.end)
        .order_by((engagement() + func.coalesce(mentions.c.author_followers, 0)).desc(),
                  mentions.c.id)
        .limit(limit * 10)  # room for copies of the same story
    )
    posts = one_per_story((dict(row._mapping) for row in connection.execute(query)), limit)
    return with_copies(connection, posts, [topic_id], period.start, period.end)


def detect_spikes(
    connection: Connection,
    topics: Sequence[str],
    period_or_day: Period | date | datetime,
    *,
    k: float = 3.0,
    min_volume: int = 10,
    lookback_days: int = 28,
    min_history: int = 7,
    posts: int = 3,
) -> list[Spike]:
    """Every (topic, day) in ``period_or_day`` that is a spike, oldest first.

    Reads one group-by of daily counts from ``lookback_days`` before the first
    day to the last one. No cooldown is applied here: see :func:`new_spikes`.
    """
    rows = resolve_topics(connection, topics)
    days = _days(period_or_day)
    counts = daily_counts(connection, [r.id for r in rows],
                          days[0] - timedelta(days=lookback_days), days[-1])
    found = []
    for day in days:
        for row in rows:
            spike, baseline, mad, threshold, history = evaluate_day(
                counts[row.id], day, k=k, min_volume=min_volume, lookback_days=lookback_days,
                min_history=min_history)
            if spike:
                found.append(Spike(row.name, day, counts[row.id].get(day, 0), baseline,
                                   threshold, mad, top_posts(connection, row.id, day, posts),
                                   k=k, history_days=history))
    return found


def _reported(connection: Connection, topic: str, since: date, until: date,
              channel: str | None) -> bool:
    conditions = [alerts_sent.c.kind == KIND, alerts_sent.c.topic == topic,
                  alerts_sent.c.key >= since.isoformat(), alerts_sent.c.key <= until.isoformat()]
    if channel is not None:
        conditions.append(alerts_sent.c.channel == channel)
    query = select(func.count()).select_from(alerts_sent).where(and_(*conditions))
    return bool(connection.execute(query).scalar_one())


def new_spikes(connection: Connection, spikes: Iterable[Spike], *, cooldown: int = 3,
               channel: str | None = None) -> list[Spike]:
    """The spikes not already reported: none for the same topic within ``cooldown`` days before.

    Spikes in the same call also cool each other down (an event over days 1–3
    gives only day 1). ``channel=None`` counts a report on any channel.
    """
    fresh: list[Spike] = []
    last: dict[str, date] = {}
    for spike in sorted(spikes, key=lambda s: (s.day, s.topic)):
        since = spike.day - timedelta(days=cooldown)
        if spike.topic in last and last[spike.topic] >= since:
            continue
        if _reported(connection, spike.topic, since, spike.day, channel):
            continue
        fresh.append(spike)
        last[spike.topic] = spike.day
    return fresh


def mark_reported(connection: Connection, spikes: Iterable[Spike], *, channel: str = "digest",
                  now: datetime | None = None) -> None:
    """Record spikes as reported (idempotent: one row per topic, day and channel)."""
    rows = [
        {"kind": KIND, "topic": s.topic, "key": s.key, "channel": channel,
         "sent_at": now or utcnow(),
         "detail": {k: v for k, v in asdict(s).items() if k not in ("top_posts", "day")}
         | {"day": s.key}}
        for s in spikes
    ]
    if rows:
        connection.execute(
            insert(connection, alerts_sent).on_conflict_do_nothing(
                index_elements=["kind", "topic", "key", "channel"]),
            rows,
        )
