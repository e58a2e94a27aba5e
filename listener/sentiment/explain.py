"""Why a stored mention got its score: the words that pushed it, from the scorer that scored it.

The text is masked exactly as it was for scoring (its topics' terms, handles,
hashtags), so a brand name is never given as a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from listener.sentiment.dispatch import Sentiment
from listener.sentiment.masking import Masker, masked, mention_text
from storage.labels import topics_of
from storage.scores import topic_queries


def explain_mentions(connection: Connection, rows: Sequence[Mapping[str, Any]], config: Any,
                     k: int = 5) -> dict[int, list[tuple[str, float]]]:
    """For each row (``id``, ``text``, ``title``, ``lang``): the ``k`` words that pushed its score."""
    sentiment = Sentiment.from_config(config)
    masker = Masker(topic_queries(connection))
    topics = topics_of(connection, [row["id"] for row in rows])
    return {
        row["id"]: sentiment.explain(
            masked(mention_text(row["text"], row.get("title")), masker.terms(topics.get(row["id"], ()))),
            row.get("lang") or "", k)
        for row in rows
    }


def describe(words: Sequence[tuple[str, float]]) -> str:
    """``great +3.1, rude -2.0`` (or ``no sentiment word``)."""
    return ", ".join(f"{word} {weight:+.1f}" for word, weight in words) or "no sentiment word"
