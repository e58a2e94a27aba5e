"""Themes of criticism: what a brand's negative stories are about, this week vs the one before.

A theme is a name and a query in the topic query language (``[[themes]]`` in the
config, e.g. ``delay* OR late OR "still waiting"``). For each topic, the week's
negative stories (first copies, labelled negative) are matched against every
theme; a story can be in several themes. Per theme: the number of negative stories
in it and their share of the week's negative stories, beside the same figures for
the week before. Stories in no theme form the ``other`` group (:data:`OTHER`).

The negative stories of a week are read once per topic (text and title only), so
the cost grows with the week's criticism, not with the history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, select

from listener.analysis.common import resolve_topics
from listener.analysis.period import Period, previous
from listener.analysis.trends import story_rows
from listener.query import Doc, Query, parse
from reports.figures import ThemeShare
from storage.schema import mentions

OTHER = "other"


def _negative_counts(connection: Connection, topic_ids: Sequence[int], period: Period,
                     themes: Sequence[tuple[str, Query]]) -> dict[int, tuple[Counter[str], int]]:
    """Per topic: negative stories per theme (and OTHER), and the number of negative stories."""
    rows = story_rows(topic_ids, period, mentions.c.text, mentions.c.title).subquery()
    query = select(rows.c.topic_id, rows.c.text, rows.c.title).where(
        rows.c.copy_number == 1, rows.c.label == "negative")
    found: dict[int, tuple[Counter[str], int]] = {i: (Counter(), 0) for i in topic_ids}
    for topic_id, text, title in connection.execute(query):
        doc = Doc.of(" ".join(part for part in (title, text) if part))
        counts, total = found[topic_id]
        matched = [name for name, theme in themes if theme.matches_doc(doc)]
        counts.update(matched or [OTHER])
        found[topic_id] = (counts, total + 1)
    return found


def theme_shares(connection: Connection, topics: Sequence[str], period: Period,
                 themes: Sequence[tuple[str, str]]) -> dict[str, tuple[ThemeShare, ...]]:
    """Per topic name: one :class:`ThemeShare` per theme (config order), then ``other``."""
    if not themes:
        return {}
    compiled = [(name, parse(query)) for name, query in themes]
    rows = resolve_topics(connection, topics)
    ids = [row.id for row in rows]
    now = _negative_counts(connection, ids, period, compiled)
    before = _negative_counts(connection, ids, previous(period), compiled)
    out = {}
    for row in rows:
        (counts, total), (old_counts, old_total) = now[row.id], before[row.id]
        out[row.name] = tuple(
            ThemeShare(name, counts[name], counts[name] / total if total else None,
                       old_counts[name], old_counts[name] / old_total if old_total else None)
            for name in [*(n for n, _ in compiled), OTHER])
    return out
