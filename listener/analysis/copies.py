"""The copies of the stories a list shows: how many, and the first one's link.

Lists show a story once (the best-ranked copy) and say "also in K other sources",
linking to the first copy: the original rather than a syndicated echo.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from listener.analysis.common import story
from storage.schema import matches, mentions


@dataclass(frozen=True)
class Copies:
    count: int  # stored mentions telling the story in the window (1 = no other copy)
    first_url: str | None
    first_source: str


def story_copies(connection: Connection, topic_ids: Sequence[int], start: datetime,
                 end: datetime, keys: Iterable[str]) -> dict[str, Copies]:
    """Copies per story key among the topics' mentions in ``[start, end)``."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    key = story()
    query = (select(key.label("story"), mentions.c.id, mentions.c.url, mentions.c.source,
                    mentions.c.created_at)
             .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id))
             .where(_telling(wanted), key.in_(wanted), matches.c.topic_id.in_(topic_ids),
                    matches.c.created_at >= start, matches.c.created_at < end)
             .order_by(mentions.c.created_at, mentions.c.id))
    seen: dict[str, set[int]] = {}
    first: dict[str, Any] = {}
    for row in connection.execute(query):
        seen.setdefault(row.story, set()).add(row.id)
        first.setdefault(row.story, row)
    return {k: Copies(len(ids), first[k].url, first[k].source) for k, ids in seen.items()}


def _telling(keys: Sequence[str]) -> ColumnElement[bool]:
    """Mentions that may tell these stories, found by index (``story_key``, or the post
    itself by ``(source, external_id)`` for a ``post:<source>:<id>`` key), so the copies
    of a few stories are looked up, not searched for among the whole window's mentions."""
    posts = [k[len("post:"):].partition(":")[::2] for k in keys if k.startswith("post:")]  # (source, id)
    return or_(mentions.c.story_key.in_(keys),
               *(and_(mentions.c.source == source, mentions.c.external_id == external_id)
                 for source, external_id in posts))


def one_per_story(items: Iterable[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` items (already ranked) with one per story and one per identical text."""
    out: list[dict[str, Any]] = []
    stories: set[str] = set()
    texts: set[str] = set()
    for item in items:
        if item["story"] in stories or (item.get("text_hash") and item["text_hash"] in texts):
            continue
        stories.add(item["story"])
        if item.get("text_hash"):
            texts.add(item["text_hash"])
        out.append(item)
        if len(out) >= limit:
            break
    return out


def with_copies(connection: Connection, items: list[dict[str, Any]], topic_ids: Sequence[int],
                start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Each item gains ``copies`` and, when it has other copies, the first copy's ``url``."""
    found = story_copies(connection, topic_ids, start, end, (i["story"] for i in items))
    for item in items:
        copies = found.get(item["story"])
        item["copies"] = copies.count if copies else 1
        if copies and copies.count > 1 and copies.first_url:
            item["url"] = copies.first_url
    return items
