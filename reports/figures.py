"""The figure records of a topic's week: what ``listener trends --format json`` prints and
the digest is rendered from. Plain data (computed by :mod:`listener.analysis`), defined here
so that the renderers need nothing from the analysis layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


def _round(value: float | None) -> float | None:
    # the JSON and the digest show the same rounded figure
    return None if value is None else round(value, 4)


class SpikeFigure(Protocol):
    day: date
    observed: int
    baseline: float
    threshold: float
    mad: float


@dataclass(frozen=True)
class SentimentFigures:
    positive: int
    neutral: int
    negative: int
    unscored: int
    net: float | None
    net_adjusted: float | None
    net_interval: tuple[float, float] | None
    wide: bool = False  # too few scored stories for a narrow interval: the text says so

    @property
    def scored(self) -> int:
        return self.positive + self.neutral + self.negative


    def as_json(self) -> dict[str, Any]:
        return {"positive": self.positive, "neutral": self.neutral, "negative": self.negative,
                "unscored": self.unscored, "net": _round(self.net),
                "net_adjusted": _round(self.net_adjusted),
                "net_interval": None if self.net_interval is None
                else [_round(v) for v in self.net_interval]}


@dataclass(frozen=True)
class PeriodFigures:
    """One topic over one period."""

    topic: str
    kind: str
    week: str  # the period's label, e.g. 2026-W47
    mentions: int  # every stored copy
    stories: int  # distinct stories
    authors: int
    reach: int
    engagement: int
    share_of_voice: float | None  # stories / brand+competitor stories; None for industry topics
    sentiment: SentimentFigures
    voice_total: int = 0  # the share-of-voice denominator (stories)

    def as_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "kind": self.kind, "week": self.week,
                "mentions": self.mentions, "stories": self.stories, "authors": self.authors,
                "reach": self.reach, "engagement": self.engagement,
                "share_of_voice": None if self.share_of_voice is None
                else round(self.share_of_voice, 4),
                "sentiment": self.sentiment.as_json()}


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


@dataclass(frozen=True)
class TopicWeek(PeriodFigures):
    previous: PeriodFigures | None = None
    spikes: tuple[SpikeFigure, ...] = ()
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


@dataclass(frozen=True)
class Floor:
    top_share: float = 0.10
    min_mentions: int = 2
    min_followers: int = 1000


@dataclass
class Influencer:
    author: str
    source: str  # the connector's name ("x", "mastodon"…); the digest shows its display name
    followers: int | None  # None: the platform gives no follower count
    mentions: int
    engagement: int
    standing: float  # cumulative share among comparable authors (1.0 = the top)
    net_sentiment: float | None = None
    is_new: bool = True
    url: str | None = None  # their most-engaged mention of the period
    text: str | None = None  # what they said in it
    positive: int = 0
    negative: int = 0
    scored: int = 0
