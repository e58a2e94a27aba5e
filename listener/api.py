"""listener from Python (a notebook, a script): the stored mentions as pandas DataFrames.

    import listener
    db = listener.open("listener.toml")
    negative = db.mentions(topic="Acme", since="7d", sentiment="negative")
    weeks = db.trends(topic="Acme", weeks=["2026-W46", "2026-W47"])
    labels = db.labels()

The same paths as the command line: :func:`listener.selection.mention_query`
and :func:`storage.queries.iter_mentions` for ``mentions`` (what ``listener
mentions`` reads), :func:`listener.analysis.weekly.week_records` for ``trends``
(what ``listener trends --format json`` prints). Columns are typed: times are
UTC-aware datetimes, counts nullable integers, source/lang/sentiment
categoricals.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from listener import config as config_module
from listener.selection import SENTIMENTS, Moment, mention_query

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

MENTION_COLUMNS = ("id", "source", "external_id", "created_at", "author", "author_followers", "url",
                   "title", "text", "lang", "topics", "sentiment", "compound", "likes", "reposts",
                   "replies")
COUNTS = ("author_followers", "likes", "reposts", "replies")
LABELS = ("positive", "neutral", "negative")


def open(path: str | os.PathLike[str] | None = None) -> Listener:  # shadows the builtin inside this module only
    """The listener database of the config at ``path`` (default: $LISTENER_CONFIG, ./listener.toml)."""
    found = config_module.find(path)
    if found is None:
        raise FileNotFoundError(
            f"no listener configuration found (looked in: {config_module.searched_places(None if path is None else str(path))})")
    return Listener(config_module.load(found))


class Listener:
    """One configured listener database. Close it (or use ``with``) to release the connection pool."""

    def __init__(self, config: config_module.Config) -> None:
        self.config = config
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from listener.operations import open_engine
            from storage.mentions import sync_topics

            self._engine = open_engine(self.config)
            with self._engine.begin() as connection:  # a fresh database knows no topics yet
                sync_topics(connection, [t.model_dump() for t in self.config.topics])
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def mentions(self, *, topic: str | Sequence[str] | None = None, kind: str | Sequence[str] | None = None,
                 source: str | Sequence[str] | None = None, author: str | Sequence[str] | None = None,
                 since: Moment | None = None, until: Moment | None = None, sentiment: str | None = None,
                 lang: str | None = None, search: str | None = None, sort: str = "newest",
                 limit: int | None = None) -> pd.DataFrame:
        """Mentions as ``listener mentions`` selects them (``since``: ``7d``, a date; ``until`` exclusive).

        Raises :class:`listener.selection.SelectionError` naming every bad filter.
        """
        from storage.queries import iter_mentions

        query = mention_query(self.config, topic=topic, kind=kind, source=source, author=author,
                              since=since, until=until, sentiment=sentiment, lang=lang, search=search,
                              sort=sort, limit=limit)
        with self.engine.connect() as connection:
            rows = list(iter_mentions(connection, query))
        return mentions_frame(rows)

    def trends(self, *, topic: str | Sequence[str] | None = None, weeks: Sequence[str] = (),
               first: str | None = None, last: str | None = None) -> pd.DataFrame:
        """One row per topic and ISO week, the figures of ``listener trends --format json``.

        ``weeks`` (``"2026-W47"``) and/or ``first``..``last`` (both included); neither: the last full
        week. Nested figures become dotted columns (``sentiment.net_adjusted``).
        """
        import pandas as pd

        from listener.analysis.period import iso_weeks
        from listener.analysis.weekly import week_records

        names = [topic] if isinstance(topic, str) else list(topic or [])
        try:
            chosen = [self.config.topic(name).name for name in names] or [t.name for t in self.config.topics]
        except KeyError as error:
            raise ValueError(f"{str(error).strip(chr(39))}; configured topics: "
                             f"{', '.join(t.name for t in self.config.topics)}") from None
        voiced = [t.name for t in self.config.topics if t.kind in ("brand", "competitor")]
        periods = iso_weeks(list(weeks), first=first, last=last)
        with self.engine.connect() as connection:
            records = week_records(connection, self.config, chosen, periods, voiced=voiced)
        return pd.json_normalize(records)

    def labels(self) -> pd.DataFrame:
        """The sentiment labels people gave (``listener label``), with each mention's text."""
        import pandas as pd

        from storage.labels import labelled

        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in labelled(connection)]
        frame = pd.DataFrame(rows, columns=["id", "source", "external_id", "text", "title", "lang",
                                            "scored_lang", "label", "labelled_at"])
        frame["labelled_at"] = pd.to_datetime(frame["labelled_at"], utc=True)
        frame["label"] = pd.Categorical(frame["label"], categories=LABELS)
        return frame.astype({"source": "category", "lang": "category", "id": "int64"})


def mentions_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows from :func:`storage.queries.iter_mentions` as a typed DataFrame."""
    import pandas as pd

    frame = pd.DataFrame([{name: row.get(name) for name in MENTION_COLUMNS} for row in rows],
                         columns=list(MENTION_COLUMNS))
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)  # stored as naive UTC
    frame["sentiment"] = pd.Categorical(frame["sentiment"], categories=SENTIMENTS)
    frame["topics"] = frame["topics"].map(lambda value: list(value or []))
    return frame.astype({"id": "int64", "compound": "float64", "source": "category",
                         "lang": "category", **{name: "Int64" for name in COUNTS}})
