"""Who matters: the authors of a topic's mentions ranked by reach and engagement.

One group-by per (source, author) over the topic's matches in the period,
ranked and limited in SQL: only the ``limit`` authors shown leave the database.
The rank is log10(1 + followers) + log10(1 + engagement): an author with a large
audience or posts people react to rises, and neither can be bought with volume
alone. SQL orders by (1 + followers) × (1 + engagement), the same order (log10
is monotonic, and not every SQLite build has it), then by mentions, source and
author. ``is_new``: no mention of this topic by this author before the period
(one indexed ``mentions(source, author)`` look-up per author shown). Their sentiment
counts and link come from one read of the shown authors' posts of the period.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, literal, select, tuple_

from listener.analysis.common import engagement, net, resolve_topics
from listener.analysis.period import Period
from storage.schema import matches, mentions, scores


@dataclass
class Influencer:
    author: str
    source: str
    followers: int
    mentions: int
    engagement: int
    net_sentiment: float | None
    is_new: bool
    url: str | None  # their most engaging post of the period
    positive: int = 0
    negative: int = 0
    scored: int = 0

    @property
    def rank_score(self) -> float:
        return math.log10(1 + self.followers) + math.log10(1 + self.engagement)


def top_influencers(connection: Connection, topic: str, period: Period, *,
                    limit: int = 10) -> list[Influencer]:
    (row,) = resolve_topics(connection, [topic])
    in_period = (matches.c.topic_id == row.id, matches.c.created_at >= period.start,
                 matches.c.created_at < period.end, mentions.c.author.is_not(None))
    joined = matches.join(mentions, mentions.c.id == matches.c.mention_id)
    followers = func.max(func.coalesce(mentions.c.author_followers, 0))
    total_engagement = func.coalesce(func.sum(engagement()), 0)
    query = (
        select(mentions.c.source, mentions.c.author, followers.label("followers"),
               func.count().label("mentions"), total_engagement.label("engagement"))
        .select_from(joined).where(*in_period)
        .group_by(mentions.c.source, mentions.c.author)
        .order_by(((1.0 + followers) * (1.0 + total_engagement)).desc(), func.count().desc(),
                  mentions.c.source, mentions.c.author)
        .limit(limit)
    )
    top = [Influencer(author=r.author, source=r.source, followers=int(r.followers or 0),
                      mentions=int(r.mentions), engagement=int(r.engagement or 0),
                      net_sentiment=None, is_new=True, url=None)
           for r in connection.execute(query)]
    if not top:
        return top
    keys = [(p.source, p.author) for p in top]
    earlier = (select(literal(1))
               .select_from(mentions.join(matches, matches.c.mention_id == mentions.c.id))
               .where(mentions.c.source == bindparam("source"),
                      mentions.c.author == bindparam("author"),
                      matches.c.topic_id == row.id, mentions.c.created_at < period.start)
               .limit(1))
    seen_before = {key for key in keys if connection.execute(
        earlier, {"source": key[0], "author": key[1]}).first() is not None}
    # their posts of the period (few rows): sentiment counts and the most engaging link
    posts = (
        select(mentions.c.source, mentions.c.author, mentions.c.url, scores.c.label)
        .select_from(joined.outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(*in_period, tuple_(mentions.c.source, mentions.c.author).in_(keys))
        .order_by(engagement().desc(), mentions.c.created_at.desc())
    )
    by_key = {(p.source, p.author): p for p in top}
    labels: dict[tuple[str, str], Counter[str]] = {key: Counter() for key in keys}
    for source, author, url, label in connection.execute(posts):
        person = by_key[(source, author)]
        labels[(source, author)][label] += 1
        if url and person.url is None:
            person.url = url
    for person in top:
        counts = labels[(person.source, person.author)]
        person.positive, person.negative = counts["positive"], counts["negative"]
        person.scored = person.positive + counts["neutral"] + person.negative
        person.net_sentiment = net(person.positive, person.negative, person.scored)
        person.is_new = (person.source, person.author) not in seen_before
    return top
