"""The digest as plain data: every figure already computed, every count beside its ratio.

``listener.digest`` fills these from the analysis API; the templates only format them.
Nothing here touches a database, so the renderers are tested with hand-built digests.

Percentages are fractions (0.25 = 25 %); net sentiment is (positive - negative) / scored,
a fraction in [-1, 1]; a ratio is ``None`` when its denominator is zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def change(current: float, previous: float) -> float | None:
    """Relative change vs the previous value (0.5 = +50 %), None when there was nothing before."""
    return (current - previous) / previous if previous else None


@dataclass(frozen=True)
class Headline:
    """The brand(s) of this digest, this week vs last week."""

    volume: int
    previous_volume: int
    positive: int
    neutral: int
    negative: int
    unscored: int
    previous_positive: int
    previous_negative: int
    previous_scored: int
    brand_and_competitors: int  # share-of-voice denominator this week
    previous_brand_and_competitors: int

    @property
    def volume_change(self) -> float | None:
        return change(self.volume, self.previous_volume)

    @property
    def scored(self) -> int:
        return self.positive + self.neutral + self.negative

    @property
    def net_sentiment(self) -> float | None:
        return ratio(self.positive - self.negative, self.scored)

    @property
    def previous_net_sentiment(self) -> float | None:
        return ratio(self.previous_positive - self.previous_negative, self.previous_scored)

    @property
    def share_of_voice(self) -> float | None:
        return ratio(self.volume, self.brand_and_competitors)

    @property
    def previous_share_of_voice(self) -> float | None:
        return ratio(self.previous_volume, self.previous_brand_and_competitors)


@dataclass(frozen=True)
class TopicRow:
    """One topic's week: a row of the brand-vs-competitors or industry table."""

    topic: str
    kind: str  # brand | competitor | industry
    volume: int
    previous_volume: int
    positive: int
    neutral: int
    negative: int
    unscored: int
    unique_authors: int
    reach: int
    engagement: int
    share_of_voice: float | None  # among the digest's brands and competitors
    net_sentiment: float | None
    previous_net_sentiment: float | None = None
    stories: int | None = None  # distinct stories behind the volume, when known

    @property
    def change(self) -> float | None:
        return change(self.volume, self.previous_volume)

    @property
    def scored(self) -> int:
        return self.positive + self.neutral + self.negative


@dataclass(frozen=True)
class Post:
    """A mention shown in the digest. ``text`` is user-supplied: templates escape it."""

    source: str
    author: str | None
    text: str
    url: str | None
    created_at: datetime | None
    topics: tuple[str, ...] = ()
    compound: float | None = None
    followers: int | None = None
    engagement: int | None = None
    copies: int = 1  # how many stored mentions tell the same story


@dataclass(frozen=True)
class Term:
    term: str
    count: int
    previous_count: int


@dataclass(frozen=True)
class Conversation:
    post: Post
    reason: str  # a short code, e.g. "question" or "complaint"; translated when known


@dataclass(frozen=True)
class Influencer:
    author: str
    source: str
    followers: int
    mentions: int
    engagement: int
    net_sentiment: float | None
    is_new: bool
    url: str | None = None


@dataclass(frozen=True)
class Spike:
    topic: str
    day: date
    observed: int
    baseline: float
    threshold: float
    mad: float
    posts: tuple[Post, ...] = ()


@dataclass(frozen=True)
class SourceHealth:
    source: str
    status: str  # ok | failing | silent
    last_data: datetime | None  # last successful run that brought new mentions
    error: str | None = None  # the latest error, already free of secrets
    fetched: int = 0
    new: int = 0


@dataclass(frozen=True)
class Chart:
    """An inline image: attached by Content-ID, referenced as ``cid:{cid}``."""

    cid: str
    filename: str
    png: bytes
    alt: str
    width: int
    height: int


@dataclass
class Digest:
    name: str
    language: str  # en | fr
    period_label: str  # e.g. 2026-W47
    start: date  # first day
    end: date  # last day, inclusive
    generated_at: datetime
    brands: tuple[str, ...]
    competitors: tuple[str, ...]
    headline: Headline
    comparison: list[TopicRow] = field(default_factory=list)  # brands then competitors
    industry: list[TopicRow] = field(default_factory=list)
    top_positive: list[Post] = field(default_factory=list)
    top_negative: list[Post] = field(default_factory=list)
    emerging_terms: list[Term] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    influencers: list[Influencer] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)
    sources: list[SourceHealth] = field(default_factory=list)
    unscored_by_language: dict[str, int] = field(default_factory=dict)
    # mentions per day for each brand and competitor, one value per day from start to end
    daily_volume: dict[str, list[int]] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def unscored_total(self) -> int:
        return sum(self.unscored_by_language.values())

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(row.topic for row in [*self.comparison, *self.industry])
