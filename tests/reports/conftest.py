"""A hand-built digest covering every section, with hostile user text on demand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from listener.analysis.sentiment import figures as sentiment_figures
from listener.analysis.themes import ThemeShare
from listener.analysis.trends import PeriodFigures
from listener.analysis.weekly import TopicWeek
from reports.model import (
    Conversation,
    Digest,
    Influencer,
    Post,
    SourceHealth,
    Spike,
    Term,
)

LONG_WORD = "A" * 1000 + "B" * 1000 + "C" * 1000  # 3,000 characters, no break opportunity
HOSTILE = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> "
    f"\u202eevil\u202c עברית مرحبا zero\u200bwidth\u200d emoji 😀👍🏽 {LONG_WORD}"
)


def sentiment(positive: int, neutral: int, negative: int, unscored: int = 0):
    # no calibration: the rendered figures stay the same whatever model card ships
    return sentiment_figures({("positive", "en", "vader-en"): positive,
                              ("neutral", "en", "vader-en"): neutral,
                              ("negative", "en", "vader-en"): negative,
                              ("unscored", "de", "none"): unscored},
                             calibrations=lambda scorer: {})


def week(topic: str, kind: str, stories: int, previous_stories: int, counts: tuple[int, ...], *,
         mentions: int | None = None, sov: float | None = None, voice_total: int = 0,
         authors: int = 0, reach: int = 0, engagement: int = 0,
         previous_counts: tuple[int, ...] = (0, 0, 0), themes=()) -> TopicWeek:
    """A topic's record as `trends --format json` gives it, built by hand."""
    before = PeriodFigures(topic, kind, "2026-W46", previous_stories, previous_stories, 0, 0, 0,
                           None, sentiment(*previous_counts))
    return TopicWeek(topic, kind, "2026-W47", mentions or stories, stories, authors, reach,
                     engagement, sov, sentiment(*counts), voice_total, previous=before,
                     themes=tuple(themes))


def make_digest(language: str = "en", *, hostile: bool = False, name: str = "acme-weekly") -> Digest:
    text = HOSTILE if hostile else "Acme's new roast is wonderful, café crème included"
    post = Post(source="x", author="<b>@barista</b>" if hostile else "@barista", text=text,
                url="https://example.com/p/1", created_at=datetime(2026, 11, 18, 9, 30),
                topics=("Acme",), compound=0.82, followers=12_500, engagement=340, copies=3)
    negative = Post(source="reddit", author="grumpy", text="Acme lost my order again. Terrible.",
                    url="javascript:alert(1)", created_at=datetime(2026, 11, 19, 14, 0),
                    topics=("Acme",), compound=-0.76)
    return Digest(
        name=name,
        language=language,
        period_label="2026-W47",
        start=date(2026, 11, 16),
        end=date(2026, 11, 22),
        generated_at=datetime(2026, 11, 23, 7, 0),
        brands=("Acme",),
        competitors=("Rival",),
        figures=[
            week("Acme", "brand", 1234, 1000, (600, 400, 200, 34), mentions=1500, sov=0.617,
                 voice_total=2000, authors=800, reach=1_500_000, engagement=12_000,
                 previous_counts=(500, 200, 250),
                 themes=[ThemeShare("Delays and waiting", 90, 0.45, 50, 0.2),
                         ThemeShare(text[:80] if hostile else "Price and billing", 60, 0.3,
                                    100, 0.4),
                         ThemeShare("other", 50, 0.25, 100, 0.4)]),
            week("Rival", "competitor", 766, 900, (200, 366, 180, 20), sov=0.383,
                 voice_total=2000, authors=500, reach=900_000, engagement=7_000),
            week("Coffee", "industry", 5000, 4200, (2000, 2500, 400, 100), authors=3000),
        ],
        top_positive=[post],
        top_negative=[negative],
        emerging_terms=[Term("oat latte", 42, 3, post),
                        Term(text[:60] if hostile else "brûlé", 17, 0)],
        conversations=[Conversation(post=negative, reasons=("negative:-0.76", "engagement:12",
                                                            "waiting_hours:60"), priority=4.1),
                       Conversation(post=post, reasons=("followers:12500", "question:acmecoffee",
                                                        "waiting_hours:5"), priority=3.5)],
        influencers=[Influencer("@bigvoice", "x", 250_000, 4, 9_000, 0.98, 0.5, True,
                                "https://x.example/bigvoice", text),
                     Influencer("quietfan", "hackernews", None, 6, 120, 0.95, None, False,
                                None, "Acme's roastery tour was worth it")],
        spikes=[Spike("Acme", date(2026, 11, 19), observed=420, baseline=150.0, threshold=260.5,
                      mad=36.7, posts=(negative,))],
        sources=[
            SourceHealth("X", "ok", datetime(2026, 11, 23, 6, 0), fetched=120, new=80),
            SourceHealth("Reddit", "failing", datetime(2026, 11, 17, 6, 0),
                         error="credentials rejected (401)"),
            SourceHealth("Mastodon", "silent", None),
        ],
        unscored_by_language={"de": 20, "ja": 10, "": 4},
        theme_names={"Delays and waiting": "Retards et attente"} if language == "fr" else {},
        daily_volume={"Acme": [150, 160, 170, 420, 140, 100, 94],
                      "Rival": [100, 110, 120, 130, 110, 100, 96]},
    )


@pytest.fixture
def digest_factory():
    """``digest_factory(language="en", hostile=False, name=...)`` -> a Digest with every section."""
    return make_digest


@pytest.fixture
def hostile_text() -> str:
    return HOSTILE


@pytest.fixture
def long_word() -> str:
    return LONG_WORD
