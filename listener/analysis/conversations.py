"""Conversations to answer: a triage list ranked by a documented priority, with the reason shown.

Candidates, in the window before the digest (``since`` .. ``until``): mentions of the
topics labelled negative, and mentions that name one of the brand's @handles (taken
from the topic queries; brand topics first, all the topics given when none is a
brand). Left out: reposts, the brand's own posts, posts the brand already replied
to (a stored reply by a brand handle whose ``parent_id`` is the post), and copies of
a story already listed (the first-ranked copy stays, with "also in K other sources").

Priority, each part in [0, 1], weights below::

    priority = 3·negativity + 2·reach + 2·asks + 1·waiting

* negativity: −compound for a negative label (a strong complaint outranks a mild one), else 0;
* reach: log10(1 + followers) / 6 (a million followers = 1), or, when the platform
  gives no follower count, log10(1 + likes + reposts + replies) / 4 (10,000 = 1);
* asks: 1 when the post puts a question to the brand (``listener.analysis.questions``);
* waiting: the age of the post / ``cutoff`` (older unanswered posts rise); posts older
  than the cutoff have waited too long to be worth a public answer and are left out.

Only negative posts and questions put to the brand are listed: a wide-reaching
neutral mention is not a conversation to answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select, true
from sqlalchemy.orm import aliased

from listener.analysis.common import engagement, resolve_topics, story
from listener.analysis.copies import story_copies
from listener.analysis.questions import is_question
from listener.query import normalize, parse
from storage.schema import matches, mentions, scores

WEIGHTS = {"negativity": 3.0, "reach": 2.0, "asks": 2.0, "waiting": 1.0}
CUTOFF = timedelta(days=3)
FOLLOWERS_FULL = 6.0  # log10 of the follower count that scores 1
ENGAGEMENT_FULL = 4.0  # log10 of the engagement that scores 1 when followers are unknown


@dataclass
class Conversation:
    mention_id: int
    source: str
    external_id: str
    author: str | None
    followers: int | None  # None: the platform gives no follower count
    text: str
    url: str | None
    created_at: datetime
    compound: float | None
    label: str | None
    engagement: int
    priority: float
    # why it is listed, as codes the digest translates: "negative:-0.76",
    # "followers:50000" | "engagement:340", "question:acme", "waiting_hours:50"
    reasons: tuple[str, ...]
    topics: list[str] = field(default_factory=list)
    story: str | None = None
    copies: int = 1


@dataclass
class _Candidate:
    """A candidate row and its priority; made a :class:`Conversation` only if it is listed."""
    row: Any
    priority: float
    parts: dict[str, float]
    question_to: str | None  # the brand handle it puts a question to
    followers: int | None
    topics: list[str]

    def conversation(self, until: datetime) -> Conversation:
        r, engaged = self.row, int(self.row.engagement or 0)
        why = []
        if self.parts["negativity"]:
            why.append(f"negative:{r.compound:.2f}")
        why.append(f"followers:{self.followers}" if self.followers is not None
                   else f"engagement:{engaged}")
        if self.question_to:
            why.append(f"question:{self.question_to}")
        why.append(f"waiting_hours:{int((until - r.created_at).total_seconds() // 3600)}")
        return Conversation(
            r.id, r.source, r.external_id, r.author, self.followers, r.text, r.url, r.created_at,
            r.compound, r.label, engaged, self.priority, tuple(why), self.topics, r.story)


def brand_handles(queries: Sequence[tuple[str, str]]) -> list[str]:
    """Normalized @handles named in (kind, query) pairs; brand topics first."""
    brands = [q for kind, q in queries if kind == "brand"] or [q for _, q in queries]
    handles: dict[str, None] = {}
    for query in brands:
        for term in parse(query).positive_terms():
            if term.kind == "handle":
                handles.setdefault(term.value)
    return list(handles)


def addressed_to(text: str, handles: Sequence[str]) -> str | None:
    found = {normalize(m)[1:] for m in re.findall(r"(?<!\w)@\w+", text)}
    return next((h for h in handles if h in found), None)


def priority(*, label: str | None, compound: float | None, followers: int | None,
             engagement: int, asks: bool, age: timedelta,
             cutoff: timedelta = CUTOFF) -> tuple[float, dict[str, float]]:
    """The priority of one candidate and its parts (see the module docstring)."""
    negativity = max(0.0, -(compound or 0.0)) if label == "negative" else 0.0
    if followers is not None:
        reach = math.log10(1 + max(followers, 0)) / FOLLOWERS_FULL
    else:
        reach = math.log10(1 + max(engagement, 0)) / ENGAGEMENT_FULL
    parts = {"negativity": negativity, "reach": min(reach, 1.0), "asks": 1.0 if asks else 0.0,
             "waiting": min(max(age / cutoff, 0.0), 1.0)}
    return sum(WEIGHTS[k] * v for k, v in parts.items()), parts


def to_answer(
    connection: Connection,
    topics: Sequence[str],
    since: datetime,
    *,
    until: datetime,
    limit: int = 10,
    cutoff: timedelta = CUTOFF,
) -> list[Conversation]:
    """The ``limit`` conversations most worth answering at ``until``, highest priority first."""
    rows = resolve_topics(connection, topics)
    names = {row.id: row.name for row in rows}
    handles = brand_handles([(row.kind, row.query) for row in rows])
    since = max(since, until - cutoff)
    reply = aliased(mentions)
    answered = exists().where(reply.c.source == mentions.c.source,
                              reply.c.parent_id == mentions.c.external_id,
                              func.lower(reply.c.author).in_(handles or [""]))
    lowered = func.lower(mentions.c.text)
    reasons = [scores.c.label == "negative", *(lowered.like(f"%@{h}%") for h in handles)]
    not_brand = [func.lower(mentions.c.author) != h for h in handles]
    query = (
        select(mentions.c.id, mentions.c.source, mentions.c.external_id, mentions.c.author,
               mentions.c.author_followers, mentions.c.text, mentions.c.url,
               mentions.c.created_at, scores.c.compound, scores.c.label, matches.c.topic_id,
               engagement().label("engagement"), story().label("story"))
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(matches.c.topic_id.in_(list(names)), matches.c.created_at >= since,
               matches.c.created_at < until, mentions.c.is_repost.is_(False),
               or_(*reasons), ~answered,
               or_(mentions.c.author.is_(None), and_(true(), *not_brand)))
    )
    found: dict[int, _Candidate] = {}
    asked: dict[str, tuple[str | None, bool]] = {}  # text -> (handle, asks): copies share a text
    for r in connection.execute(query):
        seen = found.get(r.id)
        if seen is not None:
            seen.topics.append(names[r.topic_id])
            continue
        known = asked.get(r.text)
        if known is None:
            handle = addressed_to(r.text, handles)
            known = asked[r.text] = (handle, bool(handle) and is_question(r.text))
        handle, asks = known
        if r.label != "negative" and not asks:
            continue
        followers = None if r.author_followers is None else int(r.author_followers)
        score, parts = priority(label=r.label, compound=r.compound, followers=followers,
                                engagement=int(r.engagement or 0), asks=asks,
                                age=until - r.created_at, cutoff=cutoff)
        found[r.id] = _Candidate(r, round(score, 3), parts, handle if asks else None, followers,
                                 [names[r.topic_id]])
    ranked = sorted(found.values(), key=lambda c: (-c.priority, c.row.created_at, c.row.id))
    listed: list[Conversation] = []
    stories: set[str | None] = set()
    for candidate in ranked:
        if candidate.row.story in stories:
            continue  # another copy of a story already listed
        stories.add(candidate.row.story)
        listed.append(candidate.conversation(until))
        if len(listed) >= limit:
            break
    copies = story_copies(connection, list(names), since, until, [c.story for c in listed])
    for item in listed:
        known = copies.get(item.story or "")
        if known and known.count > 1:
            item.copies = known.count
            item.url = known.first_url or item.url
    return listed
