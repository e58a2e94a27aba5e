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

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from listener.analysis.period import Period, previous
from listener.analysis.spikes import Spike, detect_spikes
from listener.analysis.themes import theme_shares
from listener.analysis.trends import periods_figures
from reports.figures import PeriodFigures, TopicWeek


def topic_weeks(connection: Connection, topics: Sequence[str], period: Period, *,
                voiced: Sequence[str] | None = None, spike_posts: int = 3,
                themes: Sequence[tuple[str, str]] = ()) -> list[TopicWeek]:
    """The record of each topic for ``period``; share of voice among ``voiced`` (see
    :func:`listener.analysis.trends.period_figures`); ``themes`` (name, query) split the brands' negative stories."""
    last, now = periods_figures(connection, topics, [previous(period), period], voiced=voiced)
    before = {f.topic: f for f in last}
    spikes: dict[str, list[Spike]] = {}
    for spike in detect_spikes(connection, [f.topic for f in now], period, posts=spike_posts):
        spikes.setdefault(spike.topic, []).append(spike)
    shares = theme_shares(connection, [f.topic for f in now if f.kind == "brand"], period, themes)
    return [TopicWeek(**{name: getattr(f, name) for name in PeriodFigures.__dataclass_fields__},
                      previous=before[f.topic], spikes=tuple(spikes.get(f.topic, ())),
                      themes=shares.get(f.topic, ()))
            for f in now]


def week_records(connection: Connection, config: Any, topics: Sequence[str],
                 periods: Sequence[Period], *, voiced: Sequence[str]) -> list[dict[str, Any]]:
    """``trends --format json``: each topic's record for each period, as JSON-ready dicts
    (the CLI prints them; the Python API makes a DataFrame of them)."""
    themes = [(t.name, t.query) for t in config.themes]
    return [record.as_json() for period in periods
            for record in topic_weeks(connection, topics, period, voiced=voiced, themes=themes)]
