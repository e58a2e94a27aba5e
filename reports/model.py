"""The digest as plain data: every figure already computed, every count beside its ratio.

The figures are the records of ``listener trends --format json``
(:class:`listener.analysis.weekly.TopicWeek`, one per topic); the lists (posts,
conversations, influencers, terms) come beside them. ``listener.digest`` fills
these from the analysis API; the templates only format them. Nothing here touches
a database, so the renderers are tested with hand-built digests.

Percentages are fractions (0.25 = 25 %); net sentiment is (positive - negative) / scored,
a fraction in [-1, 1]; a ratio is ``None`` when its denominator is zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from reports.figures import Floor, Influencer, TopicWeek

__all__ = ["Chart", "Conversation", "Digest", "Influencer", "Post", "SourceHealth", "Spike",
           "Term", "TopicWeek"]


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
    copies: int = 1  # how many stored mentions tell the same story (url: the first one's)
    why: tuple[str, ...] = ()  # words that pushed the score (shown beside the most negative posts)

    @property
    def other_copies(self) -> int:
        return max(self.copies - 1, 0)


@dataclass(frozen=True)
class Term:
    term: str  # as people wrote it
    count: int
    previous_count: int
    example: Post | None = None  # a post holding the term


@dataclass(frozen=True)
class Conversation:
    post: Post
    # why it is listed, codes the renderer translates (listener.analysis.conversations):
    # "negative:-0.76", "followers:50000" | "engagement:340", "question:acme", "waiting_hours:50"
    reasons: tuple[str, ...]
    priority: float = 0.0


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
    figures: list[TopicWeek] = field(default_factory=list)  # one per topic, in config order
    top_positive: list[Post] = field(default_factory=list)
    top_negative: list[Post] = field(default_factory=list)
    emerging_terms: list[Term] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    influencers: list[Influencer] = field(default_factory=list)
    influencer_floor: Floor = field(default_factory=Floor)
    theme_names: dict[str, str] = field(default_factory=dict)  # theme -> name in this language
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
        return tuple(row.topic for row in self.figures)

    @property
    def comparison(self) -> list[TopicWeek]:
        """Brands, then competitors."""
        return ([f for f in self.figures if f.kind == "brand"]
                + [f for f in self.figures if f.kind == "competitor"])

    @property
    def industry(self) -> list[TopicWeek]:
        return [f for f in self.figures if f.kind == "industry"]

    def theme_name(self, theme: str) -> str:
        return self.theme_names.get(theme, theme)

    @property
    def headline(self) -> list[TopicWeek]:
        """The topics the headline is about: the brands, else every brand and competitor,
        else every topic."""
        return [f for f in self.figures if f.kind == "brand"] or self.comparison or self.figures
