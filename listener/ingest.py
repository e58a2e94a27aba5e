"""Match mentions to topics and store them, with their cursor, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from connectors.base import Mention
from listener.config import TopicConfig
from listener.query import TopicMatcher, parse
from listener.stories import story_key
from storage.mentions import dedupe, store_matches, store_mentions, sync_topics
from storage.state import save_state
from storage.times import to_db


@dataclass(frozen=True, slots=True)
class Cursor:
    connector: str
    stream: str
    state: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Stored:
    received: int
    new: int
    matched: int  # mentions matching at least one topic
    kept: int  # mentions written (matched, or all when unmatched ones are kept)


class Ingestor:
    """Shared by `collect` and `import`. Thread-safe: each call uses its own connection."""

    def __init__(self, engine: Engine, topics: Sequence[TopicConfig], *, keep_unmatched: bool = False):
        self.engine = engine
        self.keep_unmatched = keep_unmatched
        self.matcher = TopicMatcher({topic.name: parse(topic.query) for topic in topics})
        with engine.begin() as connection:
            ids = sync_topics(connection, [topic.model_dump() for topic in topics])
        self.topic_ids = {topic.name: ids[topic.name] for topic in topics}

    def store(self, batch: Sequence[Mention], *, cursor: Cursor | None = None,
              now: datetime | None = None) -> Stored:
        now = now or datetime.now(UTC)
        unique = dedupe(batch)
        topic_names = [self.matcher.match(_searchable(m)) for m in unique]
        kept = [(m, names) for m, names in zip(unique, topic_names, strict=True) if names or self.keep_unmatched]
        matched = sum(1 for names in topic_names if names)
        with self.engine.begin() as connection:
            mentions = [m for m, _ in kept]
            result = store_mentions(connection, mentions, collected_at=now,
                                    story_keys=[story_key(m) for m in mentions])
            store_matches(connection, [
                {"topic_id": self.topic_ids[name], "mention_id": mention_id, "created_at": to_db(m.created_at)}
                for (m, names), mention_id in zip(kept, result.ids, strict=True)
                for name in names
            ])
            if cursor is not None:
                save_state(connection, cursor.connector, cursor.stream, cursor.state, now)
        return Stored(received=len(batch), new=result.new, matched=matched, kept=len(kept))


def _searchable(mention: Mention) -> str:
    return f"{mention.title}\n{mention.text}" if mention.title else mention.text
