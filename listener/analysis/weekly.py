"""A topic's week as data: the figures of ``listener trends --format json`` and of the digest.

One record per topic and ISO week (the digest is rendered from these records, so a
figure in the email and in the JSON cannot differ)::

    topic, kind, week, mentions, stories, authors, reach, engagement, share_of_voice,
    sentiment = {positive, neutral, negative, unscored, net, net_adjusted, net_interval},
    previous = the same fields for the week before,
    spikes = [{day, observed, baseline, threshold, mad}],
    themes = [{theme, negative_stories, share, previous_negative_stories, previous_share}]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from listener.analysis.common import resolve_topics
from listener.analysis.period import Period, previous
from listener.analysis.spikes import Spike, detect_spikes
from listener.analysis.themes import theme_shares
from listener.analysis.trends import period_figures
from reports.figures import PeriodFigures, TopicWeek

Read = Callable[[Connection], Any]


def topic_weeks(connection: Connection, topics: Sequence[str], period: Period, *,
                voiced: Sequence[str] | None = None, spike_posts: int = 3,
                themes: Sequence[tuple[str, str]] = ()) -> list[TopicWeek]:
    """The record of each topic for ``period``; share of voice among ``voiced`` (see
    :func:`listener.analysis.trends.period_figures`); ``themes`` (name, query) split the brands' negative stories."""
    reads = week_reads(topics, period, voiced=voiced, spike_posts=spike_posts, themes=themes)
    return weeks_from({name: read(connection) for name, read in reads.items()})


def week_reads(topics: Sequence[str], period: Period, *, voiced: Sequence[str] | None = None,
               spike_posts: int = 3, themes: Sequence[tuple[str, str]] = ()) -> dict[str, Read]:
    """The independent reads behind :func:`topic_weeks`, by name, for :func:`weeks_from`.

    Each takes its own connection, so they can run side by side (the digest runs them
    on both cores, :mod:`listener.digest.build`).
    """
    def spikes(connection: Connection) -> list[Spike]:
        names = [row.name for row in resolve_topics(connection, topics)]
        return detect_spikes(connection, names, period, posts=spike_posts)

    def shares(connection: Connection) -> dict:
        brands = [row.name for row in resolve_topics(connection, topics) if row.kind == "brand"]
        return theme_shares(connection, brands, period, themes)

    return {
        "figures": lambda connection: period_figures(connection, topics, period, voiced=voiced),
        "previous": lambda connection: period_figures(connection, topics, previous(period), voiced=voiced),
        "spikes": spikes,
        "themes": shares,
    }


def weeks_from(read: Mapping[str, Any]) -> list[TopicWeek]:
    """The records of :func:`topic_weeks` from the results of its :func:`week_reads`."""
    before = {f.topic: f for f in read["previous"]}
    spikes: dict[str, list[Spike]] = {}
    for spike in read["spikes"]:
        spikes.setdefault(spike.topic, []).append(spike)
    return [TopicWeek(**{name: getattr(f, name) for name in PeriodFigures.__dataclass_fields__},
                      previous=before[f.topic], spikes=tuple(spikes.get(f.topic, ())),
                      themes=read["themes"].get(f.topic, ()))
            for f in read["figures"]]


def week_records(connection: Connection, config: Any, topics: Sequence[str],
                 periods: Sequence[Period], *, voiced: Sequence[str]) -> list[dict[str, Any]]:
    """``trends --format json``: each topic's record for each period, as JSON-ready dicts
    (the CLI prints them; the Python API makes a DataFrame of them).

    A period's figures are read once: week N's are also week N+1's "previous"."""
    themes = [(t.name, t.query) for t in config.themes]
    figures: dict[Period, Any] = {}  # a period -> its figures, as read for an earlier record
    records = []
    for period in periods:
        reads = week_reads(topics, period, voiced=voiced, themes=themes)
        read = {}
        for name, run in reads.items():
            of = {"figures": period, "previous": previous(period)}.get(name)
            if of is not None and of in figures:
                read[name] = figures[of]
                continue
            read[name] = run(connection)
            if of is not None:
                figures[of] = read[name]
        records += [record.as_json() for record in weeks_from(read)]
    return records
