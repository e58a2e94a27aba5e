from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.base import Mention
from listener.analysis.common import UnknownTopicError
from listener.analysis.period import iso_week
from listener.analysis.trends import daily_series, top_mentions
from listener.analysis.weekly import topic_weeks
from listener.sentiment.adjust import adjust, shipped_calibrations
from listener.stories import story_key

WEEK = iso_week("2026-W47")  # Mon 16 – Sun 22 November 2026
MON = WEEK.start
LAST = MON - timedelta(days=7)


@pytest.fixture
def world(data):
    data.topic("Acme", '"acme coffee" OR @acme')
    data.topic("Rival", "rival", kind="competitor")
    data.topic("Coffee", "coffee", kind="industry")
    # this week: Acme 4 mentions by 3 authors
    data.mention("Acme", MON + timedelta(hours=1), label="positive", author="ann", followers=100,
                 likes=3)
    data.mention("Acme", MON + timedelta(days=1), label="positive", author="ann", followers=120,
                 reposts=2)
    data.mention("Acme", MON + timedelta(days=1, hours=5), label="negative", author="bob",
                 followers=50)
    data.mention(["Acme", "Coffee"], MON + timedelta(days=6, hours=23), label="unscored",
                 author="cid", followers=10, replies=1, lang="es")
    data.mention("Acme", WEEK.end, label="positive", author="out")  # next week: excluded
    # this week: Rival 1 mention, Coffee 1 (+ shared one above)
    data.mention("Rival", MON + timedelta(days=2), label="negative", author="dan", followers=5)
    data.mention("Coffee", MON + timedelta(days=3), label=None, author="eve")  # not scored yet
    # last week: Acme 2, Rival 2
    data.mention("Acme", LAST, label="positive", author="ann")
    data.mention("Acme", LAST + timedelta(days=2), label="neutral", author="ann")
    data.mention("Rival", LAST + timedelta(days=1), label="neutral", author="dan")
    data.mention("Rival", LAST + timedelta(days=3), label="neutral", author="dan")
    return data


def test_topic_weeks_known_answers(world, engine):
    with engine.connect() as c:
        acme, rival, coffee = topic_weeks(c, ["Acme", "Rival", "Coffee"], WEEK)
    assert (acme.topic, acme.kind, acme.mentions, acme.stories) == ("Acme", "brand", 4, 4)
    assert acme.previous.stories == 2 and acme.change == 1.0
    assert acme.authors == 3
    assert acme.reach == 120 + 50 + 10  # ann counted once, with her largest follower count
    assert acme.engagement == 3 + 2 + 1
    s = acme.sentiment
    assert (s.positive, s.neutral, s.negative, s.unscored) == (2, 0, 1, 1)
    assert s.net == pytest.approx((2 - 1) / 3, abs=1e-4)
    # corrected with the confusion matrix shipped for vader-en
    corrected = adjust({"en": {"positive": 2, "negative": 1}}, shipped_calibrations("vader-en"))
    assert s.net_adjusted == pytest.approx(corrected.net, abs=1e-4)
    assert s.net_interval[0] < s.net < s.net_interval[1] and s.wide
    assert acme.share_of_voice == pytest.approx(4 / 5)
    assert acme.previous.share_of_voice == pytest.approx(2 / 4)
    assert acme.previous.sentiment.net == pytest.approx(1 / 2)
    assert rival.share_of_voice == pytest.approx(1 / 5) and rival.change == -0.5
    assert rival.sentiment.net == -1.0
    assert coffee.share_of_voice is None and coffee.kind == "industry"
    assert (coffee.mentions, coffee.sentiment.unscored) == (2, 2)  # not scored yet counts too
    assert coffee.previous.stories == 0 and coffee.change is None
    assert coffee.sentiment.net is None and coffee.sentiment.net_interval is None


def test_copies_of_one_story_count_once_in_volume_voice_and_sentiment(data, engine):
    data.topic("Acme", "acme")
    data.topic("Rival", "rival", kind="competitor")
    for source in ("rss", "rss", "hackernews"):  # one article from two feeds and HN
        data.mention("Acme", MON + timedelta(hours=1), "Acme raises prices", source=source,
                     label="negative", story_key="https://news.example/acme-prices")
    data.mention("Acme", MON + timedelta(hours=2), "acme is lovely", label="positive")
    data.mention("Rival", MON + timedelta(hours=3), "rival ok", label="neutral")
    with engine.connect() as c:
        acme, rival = topic_weeks(c, ["Acme", "Rival"], WEEK)
        negative = top_mentions(c, ["Acme"], WEEK, label="negative", limit=5)
    assert rival.stories == 1
    assert (acme.mentions, acme.stories) == (4, 2)
    assert (acme.sentiment.positive, acme.sentiment.negative) == (1, 1)
    assert acme.share_of_voice == pytest.approx(2 / 3) and acme.voice_total == 3
    assert len(negative) == 1 and negative[0]["copies"] == 3
    assert negative[0]["url"] == "https://example.com/1"  # the first copy's link


def test_a_retweet_and_its_original_are_one_story(data, engine):
    data.topic("Acme", "acme")
    original = data.mention("Acme", MON + timedelta(hours=1), "acme is lovely", label="positive")
    retweet = Mention(source="x", external_id="rt-1", text="RT @fan: acme is lovely",
                      created_at=MON + timedelta(hours=2), is_repost=True, parent_id=str(original))
    data.mention("Acme", retweet.created_at, retweet.text, label="positive", is_repost=True,
                 story_key=story_key(retweet))
    with engine.connect() as c:
        (acme,) = topic_weeks(c, ["Acme"], WEEK)
        positive = top_mentions(c, ["Acme"], WEEK, label="positive", limit=5)
    assert (acme.mentions, acme.stories, acme.sentiment.positive) == (2, 1, 1)
    assert len(positive) == 1 and positive[0]["copies"] == 2


def test_unknown_topic_is_named(world, engine):
    with engine.connect() as c, pytest.raises(UnknownTopicError, match=r"Nope.*known: Acme"):
        topic_weeks(c, ["Nope"], WEEK)


def test_daily_series_has_every_day_with_zeros(world, engine):
    with engine.connect() as c:
        frame = daily_series(c, ["Acme"], WEEK)
    assert list(frame["day"]) == WEEK.days
    assert list(frame["volume"]) == [1, 2, 0, 0, 0, 0, 1]
    tuesday = frame.iloc[1]
    assert (tuesday.positive, tuesday.negative, tuesday.net_sentiment) == (1, 1, 0.0)
    assert frame.iloc[2].net_sentiment is None
    assert frame.iloc[6].unscored == 1
    assert {"day", "topic", "volume", "positive", "negative", "net_sentiment"} <= set(frame)


def test_top_mentions_rank_by_strength_and_reach_one_per_text(data, engine):
    data.topic("Acme", "acme")
    strong_small = data.mention("Acme", MON, "acme is awful", label="negative", compound=-0.9,
                                followers=10)
    data.mention("Acme", MON, "acme is awful", label="negative", compound=-0.9, followers=5)
    weak_big = data.mention("Acme", MON, "acme a bit slow", label="negative", compound=-0.3,
                            followers=1_000_000)
    data.mention("Acme", MON, "acme great", label="positive", compound=0.9, followers=10**6)
    with data.engine.connect() as c:
        rows = top_mentions(c, ["Acme"], WEEK, label="negative", limit=5)
    # |−0.3|·log10(10 + 1e6) = 1.8 beats |−0.9|·log10(10 + 10) = 1.17; the copy is dropped
    assert [r["mention_id"] for r in rows] == [weak_big, strong_small]
    assert {"source", "url", "author", "text", "compound", "created_at"} <= set(rows[0])


def test_trends_over_weeks_read_each_weeks_figures_once_and_give_each_weeks_record(world, engine, monkeypatch):
    from types import SimpleNamespace

    from listener.analysis import weekly
    from listener.analysis.period import iso_weeks

    weeks = iso_weeks([], first="2026-W45", last="2026-W47")
    with engine.connect() as c:
        alone = [r.as_json() for week in weeks
                 for r in topic_weeks(c, ["Acme", "Rival"], week, voiced=["Acme", "Rival"])]
        read = []
        figures = weekly.period_figures

        def counted(connection, topics, period, **kwargs):
            read.append(period.label)
            return figures(connection, topics, period, **kwargs)

        monkeypatch.setattr(weekly, "period_figures", counted)
        together = weekly.week_records(c, SimpleNamespace(themes=[]), ["Acme", "Rival"], weeks,
                                       voiced=["Acme", "Rival"])
    assert together == alone
    assert sorted(read) == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]  # W44: W45's previous
