"""Match mentions to topics and store them, with their cursor, in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from connectors.base import Mention
from listener.config import TopicConfig
from listener.query import TopicMatcher, parse
from listener.stories import story_key
from storage.fit import Unfit, fit_mention
from storage.mentions import (
    author_rows,
    dedupe,
    mention_rows,
    store_matches,
    store_rows,
    sync_topics,
)
from storage.state import save_state

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cursor:
    connector: str
    stream: str
    state: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Stored:
    received: int
    new: int
    matched: int  # distinct mentions matching at least one topic
    kept: int  # mentions written (matched, or all when unmatched ones are kept)
    fitted: int = 0  # changed to fit the database (NUL removed, out-of-range metric dropped…)
    unfit: int = 0  # rejected: an identifier the database cannot hold
    repeated: int = 0  # copies of an id seen earlier in the batch or, for an import, the run
    unmatched: int = 0  # distinct mentions matching no topic (an import's earlier copies corrected)


@dataclass(slots=True)
class Prepared:
    """A batch ready to write (:meth:`Ingestor.prepare`): rows, not Mentions, so it is cheap to send."""

    rows: list[dict]  # ``mentions`` rows: deduplicated, fitted, kept (matched, or all when unmatched are kept)
    topics: list[list[str]]  # each row's topic names
    authors: list[dict]  # ``authors`` rows
    received: int  # the batch as given
    unique: int  # distinct ids the database can hold
    matched: int  # of those, matching at least one topic
    fitted: int
    unfit: int


class Ingestor:
    """Shared by `collect` and `import`. Thread-safe: each call uses its own connection."""

    def __init__(self, engine: Engine, topics: Sequence[TopicConfig], *, keep_unmatched: bool = False,
                 last_copy_wins: bool = False):
        self.engine = engine
        self.keep_unmatched = keep_unmatched
        self.last_copy_wins = last_copy_wins  # an import: a repeated id keeps its last copy
        self.matcher = TopicMatcher({topic.name: parse(topic.query) for topic in topics})
        with engine.begin() as connection:
            ids = sync_topics(connection, [topic.model_dump() for topic in topics])
        self.topic_ids = {topic.name: ids[topic.name] for topic in topics}

    def store(self, batch: Sequence[Mention], *, cursor: Cursor | None = None,
              now: datetime | None = None) -> Stored:
        now = now or datetime.now(UTC)
        return self.write(self.prepare(batch, collected_at=now), cursor=cursor, now=now)

    def prepare(self, batch: Sequence[Mention], *, collected_at: datetime) -> Prepared:
        """The batch made ready to write: deduplicated, fitted, matched, its rows built. No database.

        Pure work, so an import can prepare the next batch in another process
        (:mod:`listener.ahead`) while this one writes.
        """
        unique, fitted, unfit = _fit(dedupe(batch))
        topic_names = [self.matcher.match(_searchable(m)) for m in unique]
        kept = [(m, names) for m, names in zip(unique, topic_names, strict=True) if names or self.keep_unmatched]
        mentions = [m for m, _ in kept]
        return Prepared(
            rows=mention_rows(mentions, collected_at=collected_at, story_keys=[story_key(m) for m in mentions]),
            topics=[names for _, names in kept], authors=author_rows(mentions), received=len(batch),
            unique=len(unique), matched=sum(1 for names in topic_names if names), fitted=fitted, unfit=unfit)

    def write(self, prepared: Prepared, *, cursor: Cursor | None = None, now: datetime | None = None) -> Stored:
        """Store a prepared batch and its cursor in one transaction."""
        with self.engine.begin() as connection:
            result = store_rows(connection, prepared.rows, prepared.authors, last_copy_wins=self.last_copy_wins)
            topic_ids = self.topic_ids
            store_matches(connection, [
                {"topic_id": topic_ids[name], "mention_id": mention_id, "created_at": row["created_at"]}
                for row, names, mention_id in zip(prepared.rows, prepared.topics, result.ids, strict=True)
                for name in names
            ])
            if cursor is not None:
                save_state(connection, cursor.connector, cursor.stream, cursor.state, now or datetime.now(UTC))
        in_batch_repeats = prepared.received - prepared.unique - prepared.unfit
        return Stored(received=prepared.received, new=result.new, matched=prepared.matched,
                      kept=len(prepared.rows), fitted=prepared.fitted, unfit=prepared.unfit,
                      repeated=in_batch_repeats + result.repeated,
                      unmatched=prepared.unique - prepared.matched - result.repeated_unmatched)


def _fit(batch: list[Mention]) -> tuple[list[Mention], int, int]:
    """The mentions the database can hold, made to fit; how many were changed and rejected."""
    fitted, unfit, kept = 0, 0, []
    for mention in batch:
        try:
            fitted += fit_mention(mention)
        except Unfit as error:
            unfit += 1
            log.warning("%s mention skipped: %s", mention.source[:32], error)
            continue
        kept.append(mention)
    if fitted:
        log.info("%d mention(s) changed to fit the database (NUL characters or out-of-range numbers)", fitted)
    return kept, fitted, unfit


def _searchable(mention: Mention) -> str:
    return f"{mention.title}\n{mention.text}" if mention.title else mention.text
