"""Who matters: the authors of the topics' mentions whose voice carries, above a floor.

One group-by per (source, author) over the period's mentions of the topics (each
mention once, however many of the topics it matches) gives each author's followers
(their largest count in the period; unknown when the platform gives none), mentions
and engagement. Then, in SQL:

* standing: the author's place among the period's comparable authors, as a
  cumulative share (1.0 = the top): by followers among authors whose follower count
  is known, by engagement then mentions among the others, so a platform without
  follower counts still has influencers, and "followers 0" never stands in for
  "unknown";
* floor (``Floor``, configurable per digest): standing in the top ``top_share`` of
  authors (10 %), and at least ``min_mentions`` mentions (2) or ``min_followers``
  followers (1,000): one lucky post from a small account is not influence;
* rank: standing, then mentions, then engagement.

For the authors shown (few rows): ``is_new`` (no mention of these topics before the
period), their sentiment counts, and what they said: their most-engaged mention.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select

from listener.analysis.common import engagement, net, resolve_topics
from listener.analysis.period import Period
from reports.figures import Floor, Influencer
from storage.schema import matches, mentions, scores


def top_influencers(connection: Connection, topics: Sequence[str], period: Period, *,
                    limit: int = 5, floor: Floor = Floor()) -> list[Influencer]:
    """The ``limit`` most influential authors of ``topics`` in ``period`` above ``floor``."""
    ids = [row.id for row in resolve_topics(connection, topics)]
    # each mention once, however many of the topics it matches (its engagement too)
    in_period = select(matches.c.mention_id).where(
        matches.c.topic_id.in_(ids), matches.c.created_at >= period.start, matches.c.created_at < period.end)
    per_author = (
        select(mentions.c.source, mentions.c.author,
               func.max(mentions.c.author_followers).label("followers"),
               func.count().label("mentions"),
               func.coalesce(func.sum(engagement()), 0).label("engagement"))
        .where(mentions.c.id.in_(in_period), mentions.c.author.is_not(None))
        .group_by(mentions.c.source, mentions.c.author)
        .subquery()
    )
    known = per_author.c.followers.is_not(None)
    standing = func.cume_dist().over(
        partition_by=known,
        order_by=(per_author.c.followers, per_author.c.engagement, per_author.c.mentions))
    ranked = select(per_author, standing.label("standing")).subquery()
    query = (
        select(ranked)
        .where(ranked.c.standing > 1 - floor.top_share,
               or_(ranked.c.mentions >= floor.min_mentions,
                   and_(ranked.c.followers.is_not(None),
                        ranked.c.followers >= floor.min_followers)))
        .order_by(ranked.c.standing.desc(), ranked.c.mentions.desc(),
                  ranked.c.engagement.desc(), ranked.c.source, ranked.c.author)
        .limit(limit)
    )
    top = [Influencer(author=r.author, source=r.source,
                      followers=None if r.followers is None else int(r.followers),
                      mentions=int(r.mentions), engagement=int(r.engagement or 0),
                      standing=round(float(r.standing), 4))
           for r in connection.execute(query)]
    if top:
        _details(connection, top, ids, period)
    return top


def _of(keys: list[tuple[str, str]], ids: list[int], *in_matches: Any) -> ColumnElement[bool]:
    """Mentions of these (source, author) pairs matched by the topics ``ids`` (and
    ``in_matches``). Driven from ``ix_mentions_author``, one look-up per pair (ORed
    equalities: a row-value IN list makes SQLite scan the whole index), each mention
    checked in ``matches`` by key, whatever the planner's statistics say: joined the
    other way, the topics' history before the period is read whole."""
    return and_(
        or_(*(and_(mentions.c.source == source, mentions.c.author == author)
              for source, author in keys)),
        exists().where(matches.c.mention_id == mentions.c.id, matches.c.topic_id.in_(ids),
                       *in_matches))


def _details(connection: Connection, top: list[Influencer], ids: list[int], period: Period) -> None:
    keys = [(p.source, p.author) for p in top]
    by_key = {(p.source, p.author): p for p in top}
    earlier = (select(mentions.c.source, mentions.c.author)
               .where(_of(keys, ids, matches.c.created_at < period.start))
               .group_by(mentions.c.source, mentions.c.author))
    seen_before = {(source, author) for source, author in connection.execute(earlier)}
    # their posts of the period (few rows): sentiment counts and the most engaged one
    posts = (
        select(mentions.c.id, mentions.c.source, mentions.c.author, mentions.c.url,
               mentions.c.text, mentions.c.title, scores.c.label)
        .select_from(mentions.outerjoin(scores, scores.c.mention_id == mentions.c.id))
        .where(_of(keys, ids, matches.c.created_at >= period.start,
                   matches.c.created_at < period.end))
        .order_by(engagement().desc(), mentions.c.created_at.desc(), mentions.c.id)
    )
    labels: dict[tuple[str, str], Counter[str]] = {key: Counter() for key in keys}
    for row in connection.execute(posts):  # each mention once, however many topics it is in
        person = by_key[(row.source, row.author)]
        labels[(row.source, row.author)][row.label] += 1
        if person.text is None:
            person.text = row.text or row.title
            person.url = row.url
    for person in top:
        counts = labels[(person.source, person.author)]
        person.positive, person.negative = counts["positive"], counts["negative"]
        person.scored = person.positive + counts["neutral"] + person.negative
        person.net_sentiment = net(person.positive, person.negative, person.scored)
        person.is_new = (person.source, person.author) not in seen_before

