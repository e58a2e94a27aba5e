"""Conversations to answer: criticism with reach, and questions put to the brand.

The advice behind it: answer criticism in public quickly, then move it to a
private channel. Two reasons make a mention worth answering:

* ``"negative, high reach"``: labelled negative and its author has at least
  ``min_followers`` followers;
* ``"question to @brand"``: it names one of the brand's @handles (taken from the
  topic queries; brand topics first, all the topics given when none is a brand)
  and reads as a question: a ``?``, or a sentence opening with an English or
  French interrogative ("how", "why", "comment", "pourquoi", "est-ce que"…).

Reposts and the brand's own posts are left out. Newest first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select

from listener.analysis.common import resolve_topics, story
from listener.analysis.copies import story_copies
from listener.query import normalize, parse
from storage.schema import matches, mentions, scores

NEGATIVE = "negative, high reach"
QUESTION = "question to @{handle}"

_INTERROGATIVES = (
    "how", "why", "what", "when", "where", "who", "whom", "which", "whose", "can", "could",
    "is", "are", "was", "were", "do", "does", "did", "will", "would", "should", "shall", "may",
    "any", "anyone", "anybody", "has", "have",
    "comment", "pourquoi", "quand", "ou", "qui", "quel", "quelle", "quels", "quelles",
    "combien", "lequel", "laquelle", "est-ce", "pouvez", "peut", "puis", "avez", "etes",
    "allez", "sauriez", "auriez", "pourriez", "faut",
)
_QUESTION_START = re.compile(
    r"(?:^|[.!;:\n]\s*)(?:" + "|".join(re.escape(w) for w in _INTERROGATIVES) + r")\b(?![\'’])"
)
_SIGIL_OR_URL = re.compile(r"(?<!\w)[@#]\w+|https?://\S+")


@dataclass
class Conversation:
    mention_id: int
    source: str
    external_id: str
    author: str | None
    followers: int
    text: str
    url: str | None
    created_at: datetime
    reason: str  # "negative, high reach" | "question to @brand" (both joined by "; ")
    compound: float | None
    label: str | None = None
    topics: list[str] | None = None
    story: str | None = None
    copies: int = 1


def is_question(text: str) -> bool:
    """A question mark, or a sentence opening with an EN/FR interrogative.

    Handles, hashtags and links are ignored first: the ``?`` of ``?utm_source=``
    does not make a post a question.
    """
    without_links = _SIGIL_OR_URL.sub(" ", text)
    if "?" in without_links or "？" in without_links:
        return True
    return bool(_QUESTION_START.search(normalize(without_links).strip()))


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


def to_answer(
    connection: Connection,
    topics: Sequence[str],
    since: datetime,
    *,
    min_followers: int = 1000,
    limit: int = 20,
    until: datetime | None = None,
) -> list[Conversation]:
    rows = resolve_topics(connection, topics)
    names = {row.id: row.name for row in rows}
    handles = brand_handles([(row.kind, row.query) for row in rows])
    window = [matches.c.topic_id.in_(list(names)), matches.c.created_at >= since,
              mentions.c.is_repost.is_(False)]
    if until is not None:
        window.append(matches.c.created_at < until)
    negative = and_(scores.c.label == "negative",
                    func.coalesce(mentions.c.author_followers, 0) >= min_followers)
    reasons = [negative]
    lowered = func.lower(mentions.c.text)
    reasons += [lowered.like(f"%@{handle}%") for handle in handles]
    query = (
        select(mentions.c.id, mentions.c.source, mentions.c.external_id, mentions.c.author,
               mentions.c.author_followers, mentions.c.text, mentions.c.url,
               mentions.c.created_at, scores.c.compound, scores.c.label, matches.c.topic_id,
               story().label("story"))
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(*window, or_(*reasons))
        .order_by(matches.c.created_at.desc(), mentions.c.id.desc())
    )
    found: dict[int, Conversation] = {}
    stories: set[str] = set()
    for r in connection.execute(query):
        if r.id in found:
            found[r.id].topics.append(names[r.topic_id])  # type: ignore[union-attr]
            continue
        if r.story in stories:
            continue  # another copy of a story already listed
        if r.author and normalize(r.author).lstrip("@") in handles:
            continue  # the brand talking
        why = []
        followers = int(r.author_followers or 0)
        if r.label == "negative" and followers >= min_followers:
            why.append(NEGATIVE)
        handle = addressed_to(r.text, handles)
        if handle and is_question(r.text):
            why.append(QUESTION.format(handle=handle))
        if not why:
            continue
        stories.add(r.story)
        found[r.id] = Conversation(r.id, r.source, r.external_id, r.author, followers, r.text,
                                   r.url, r.created_at, "; ".join(why), r.compound, r.label,
                                   [names[r.topic_id]], r.story)
        if len(found) >= limit:
            break
    listed = list(found.values())
    copies = story_copies(connection, list(names), since, until or datetime.max,
                          [c.story for c in listed if c.story])
    for item in listed:
        known = copies.get(item.story or "")
        if known and known.count > 1:
            item.copies = known.count
            item.url = known.first_url or item.url
    return listed
