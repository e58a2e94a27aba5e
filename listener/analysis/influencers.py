"""Who matters: the authors of a topic's mentions ranked by reach and engagement.

One group-by per (source, author) over the topic's matches in the period. The
rank is log10(1 + followers) + log10(1 + engagement): an author with a large
audience or posts people react to rises, and neither can be bought with volume
alone. ``is_new``: no mention of this topic by this author before the period
(looked up with the ``mentions(source, author)`` index, for the authors shown).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, tuple_

from listener.analysis.common import count_label, engagement, net, resolve_topics
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
    joined = (matches.join(mentions, mentions.c.id == matches.c.mention_id)
              .outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
    query = (
        select(mentions.c.source, mentions.c.author,
               func.max(func.coalesce(mentions.c.author_followers, 0)).label("followers"),
               func.count().label("mentions"),
               func.coalesce(func.sum(engagement()), 0).label("engagement"),
               count_label("positive").label("positive"),
               count_label("neutral").label("neutral"),
               count_label("negative").label("negative"))
        .select_from(joined).where(*in_period)
        .group_by(mentions.c.source, mentions.c.author)
    )
    people = []
    for r in connection.execute(query):
        scored = int(r.positive) + int(r.neutral) + int(r.negative)
        people.append(Influencer(
            author=r.author, source=r.source, followers=int(r.followers or 0),
            mentions=int(r.mentions), engagement=int(r.engagement or 0),
            net_sentiment=net(int(r.positive), int(r.negative), scored), is_new=True, url=None,
            positive=int(r.positive), negative=int(r.negative), scored=scored))
    people.sort(key=lambda p: (-p.rank_score, -p.mentions, p.source, p.author))
    top = people[:limit]
    if not top:
        return top
    keys = [(p.source, p.author) for p in top]
    seen_before = {
        (s, a) for s, a in connection.execute(
            select(mentions.c.source, mentions.c.author)
            .select_from(mentions.join(matches, matches.c.mention_id == mentions.c.id))
            .where(tuple_(mentions.c.source, mentions.c.author).in_(keys),
                   matches.c.topic_id == row.id, mentions.c.created_at < period.start)
            .group_by(mentions.c.source, mentions.c.author))
    }
    best = (
        select(mentions.c.source, mentions.c.author, mentions.c.url)
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id))
        .where(*in_period, tuple_(mentions.c.source, mentions.c.author).in_(keys))
        .order_by(engagement().desc(), mentions.c.created_at.desc())
    )
    urls: dict[tuple[str, str], str | None] = {}
    for source, author, url in connection.execute(best):
        if url and (source, author) not in urls:
            urls[(source, author)] = url
    for person in top:
        person.is_new = (person.source, person.author) not in seen_before
        person.url = urls.get((person.source, person.author))
    return top
