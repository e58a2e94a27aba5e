"""Hand-made databases for tests: topics by name, mentions with their matches and scores."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import insert

from storage.mentions import text_hash
from storage.schema import matches, mentions, scores, topics


class Data:
    """Builds small hand-made databases: topics by name, mentions with their matches and scores."""

    def __init__(self, engine):
        self.engine = engine
        self.topic_ids: dict[str, int] = {}
        self._ids = itertools.count(1)

    def topic(self, name: str, query: str, kind: str = "brand") -> int:
        with self.engine.begin() as c:
            self.topic_ids[name] = c.execute(
                insert(topics).values(name=name, kind=kind, query=query).returning(topics.c.id)
            ).scalar_one()
        return self.topic_ids[name]

    def mention(self, topics_: str | list[str], created_at: datetime, text: str = "a post", *,
                label: str | None = "neutral", compound: float | None = None,
                author: str | None = None, followers: int | None = None, likes: int = 0,
                reposts: int = 0, replies: int = 0, source: str = "x", url: str | None = None,
                is_repost: bool = False, lang: str | None = "en", story_key: str | None = None,
                title: str | None = None) -> int:
        names = [topics_] if isinstance(topics_, str) else topics_
        number = next(self._ids)
        with self.engine.begin() as c:
            mention_id = c.execute(insert(mentions).values(
                source=source, external_id=str(number), created_at=created_at,
                collected_at=created_at, author=author, author_followers=followers, text=text,
                url=url or f"https://example.com/{number}", lang=lang, likes=likes,
                reposts=reposts, replies=replies, is_repost=is_repost,
                text_hash=text_hash(text), story_key=story_key, title=title,
            ).returning(mentions.c.id)).scalar_one()
            for name in names:
                c.execute(insert(matches).values(topic_id=self.topic_ids[name],
                                                 mention_id=mention_id, created_at=created_at))
            if label is not None:
                if compound is None:
                    compound = {"positive": 0.5, "negative": -0.5}.get(label, 0.0 if
                                                                          label == "neutral" else None)
                c.execute(insert(scores).values(
                    mention_id=mention_id, lang=lang, label=label, compound=compound,
                    scorer="none" if label == "unscored" else "vader-en", scored_at=created_at))
        return mention_id
