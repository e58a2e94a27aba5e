from __future__ import annotations

from datetime import timedelta

from listener.analysis.influencers import top_influencers
from listener.analysis.period import iso_week

WEEK = iso_week("2026-W47")


def test_top_influencers_by_reach_and_engagement_with_sentiment_and_new_voices(data, engine):
    data.topic("Acme", "acme")
    data.mention("Acme", WEEK.start - timedelta(days=3), author="old_star", followers=90_000)
    data.mention("Acme", WEEK.start, author="old_star", followers=100_000, label="negative",
                 likes=10, url="https://x.com/old_star/1")
    data.mention("Acme", WEEK.start + timedelta(days=1), author="old_star", followers=100_000,
                 label="negative", likes=500, url="https://x.com/old_star/2")
    data.mention("Acme", WEEK.start, author="newbie", followers=5_000, label="positive",
                 likes=50)
    for i in range(5):  # a prolific author with no audience ranks below
        data.mention("Acme", WEEK.start + timedelta(hours=i), author="spammer", followers=3)
    data.mention("Acme", WEEK.start, author=None, followers=10**7)  # no author: not a person
    with engine.connect() as c:
        people = top_influencers(c, "Acme", WEEK, limit=10)
    assert [p.author for p in people] == ["old_star", "newbie", "spammer"]
    star, newbie, spammer = people
    assert (star.followers, star.mentions, star.engagement) == (100_000, 2, 510)
    assert star.net_sentiment == -1.0 and not star.is_new
    assert star.url == "https://x.com/old_star/2"  # the most engaging post
    assert newbie.is_new and newbie.net_sentiment == 1.0
    assert spammer.mentions == 5 and spammer.net_sentiment == 0.0
    with engine.connect() as c:
        assert len(top_influencers(c, "Acme", WEEK, limit=1)) == 1
