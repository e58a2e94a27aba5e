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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from listener.analysis.period import Period, previous
from listener.analysis.spikes import Spike, detect_spikes
from listener.analysis.trends import PeriodFigures, period_figures


@dataclass(frozen=True)
class ThemeShare:
    """Negative stories of a brand in one theme (``other``: in none), this week and the one before."""

    theme: str
    negative_stories: int
    share: float | None  # of the week's negative stories
    previous_negative_stories: int
    previous_share: float | None

    def as_json(self) -> dict[str, Any]:
        return {"theme": self.theme, "negative_stories": self.negative_stories,
                "share": _round(self.share),
                "previous_negative_stories": self.previous_negative_stories,
                "previous_share": _round(self.previous_share)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class TopicWeek(PeriodFigures):
    previous: PeriodFigures | None = None
    spikes: tuple[Spike, ...] = ()
    themes: tuple[ThemeShare, ...] = field(default_factory=tuple)

    @property
    def change(self) -> float | None:
        """Relative change of stories vs the week before; None when there were none."""
        before = self.previous.stories if self.previous else 0
        return (self.stories - before) / before if before else None

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(),
                "previous": self.previous.as_json() if self.previous else None,
                "spikes": [{"day": s.day.isoformat(), "observed": s.observed,
                            "baseline": s.baseline, "threshold": s.threshold, "mad": s.mad}
                           for s in self.spikes],
                "themes": [t.as_json() for t in self.themes]}


def topic_weeks(connection: Connection, topics: Sequence[str], period: Period, *,
                voiced: Sequence[str] | None = None, spike_posts: int = 3,
                themes: dict[str, tuple[ThemeShare, ...]] | None = None) -> list[TopicWeek]:
    """The record of each topic for ``period``; share of voice among ``voiced`` (see
    :func:`period_figures`); ``themes`` per topic name, computed by the caller."""
    now = period_figures(connection, topics, period, voiced=voiced)
    before = {f.topic: f for f in period_figures(connection, topics, previous(period),
                                                 voiced=voiced)}
    spikes: dict[str, list[Spike]] = {}
    for spike in detect_spikes(connection, [f.topic for f in now], period, posts=spike_posts):
        spikes.setdefault(spike.topic, []).append(spike)
    return [TopicWeek(**{name: getattr(f, name) for name in PeriodFigures.__dataclass_fields__},
                      previous=before[f.topic], spikes=tuple(spikes.get(f.topic, ())),
                      themes=(themes or {}).get(f.topic, ()))
            for f in now]
