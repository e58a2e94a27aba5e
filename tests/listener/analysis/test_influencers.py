from __future__ import annotations

from datetime import timedelta

from listener.analysis.influencers import Floor, top_influencers
from listener.analysis.period import iso_week

WEEK = iso_week("2026-W47")
EVERYONE = Floor(top_share=1.0, min_mentions=1, min_followers=0)


def test_influencers_rank_by_reach_with_sentiment_new_voices_and_what_they_said(data, engine):
    data.topic("Acme", "acme")
    data.mention("Acme", WEEK.start - timedelta(days=3), author="old_star", followers=90_000)
    data.mention("Acme", WEEK.start, "acme is slow", author="old_star", followers=100_000,
                 label="negative", likes=10, url="https://x.com/old_star/1")
    data.mention("Acme", WEEK.start + timedelta(days=1), "acme lost my order", author="old_star",
                 followers=100_000, label="negative", likes=500, url="https://x.com/old_star/2")
    data.mention("Acme", WEEK.start, author="newbie", followers=5_000, label="positive",
                 likes=50)
    for i in range(5):  # a prolific author with no audience ranks below
        data.mention("Acme", WEEK.start + timedelta(hours=i), author="spammer", followers=3)
    data.mention("Acme", WEEK.start, author=None, followers=10**7)  # no author: not a person
    with engine.connect() as c:
        people = top_influencers(c, ["Acme"], WEEK, limit=10, floor=EVERYONE)
    assert [p.author for p in people] == ["old_star", "newbie", "spammer"]
    star, newbie, spammer = people
    assert (star.followers, star.mentions, star.engagement) == (100_000, 2, 510)
    assert star.net_sentiment == -1.0 and not star.is_new
    assert star.url == "https://x.com/old_star/2" and star.text == "acme lost my order"
    assert newbie.is_new and newbie.net_sentiment == 1.0
    assert spammer.mentions == 5 and spammer.net_sentiment == 0.0
    with engine.connect() as c:
        assert len(top_influencers(c, ["Acme"], WEEK, limit=1, floor=EVERYONE)) == 1


def test_the_floor_keeps_small_accounts_and_one_lucky_post_out(data, engine):
    data.topic("Acme", "acme")
    for i in range(30):  # the crowd: small accounts
        data.mention("Acme", WEEK.start + timedelta(minutes=i), author=f"fan{i}", followers=20 + i)
    data.mention("Acme", WEEK.start, author="big", followers=250_000)  # one post, large audience
    data.mention("Acme", WEEK.start, author="regular", followers=900)  # top 10 %, two posts
    data.mention("Acme", WEEK.start + timedelta(days=1), author="regular", followers=900)
    data.mention("Acme", WEEK.start, author="lucky", followers=800)  # top 10 %, one post, small
    with engine.connect() as c:
        people = top_influencers(c, ["Acme"], WEEK, floor=Floor())
    assert [p.author for p in people] == ["big", "regular"]


def test_without_follower_counts_engagement_and_mentions_rank_and_followers_stay_unknown(
        data, engine):
    data.topic("Acme", "acme")
    for i in range(15):
        data.mention("Acme", WEEK.start + timedelta(hours=i), author="prolific", source="rss",
                     likes=1)
    for i in range(6):
        data.mention("Acme", WEEK.start + timedelta(hours=i), author="sometimes", source="rss",
                     likes=1)
    with engine.connect() as c:
        people = top_influencers(c, ["Acme"], WEEK, floor=Floor(top_share=1.0))
    assert [p.author for p in people] == ["prolific", "sometimes"]  # not alphabetical
    assert people[0].followers is None  # unknown, never 0


def test_a_post_in_two_of_the_topics_counts_once_in_mentions_and_engagement(data, engine):
    data.topic("Acme", "acme")
    data.topic("Coffee", "coffee", kind="industry")
    data.mention(["Acme", "Coffee"], WEEK.start, "acme coffee is back", author="barista",
                 followers=2_000, likes=40)
    data.mention("Acme", WEEK.start + timedelta(hours=1), "acme again", author="barista",
                 followers=2_000, likes=2)
    with engine.connect() as c:
        (barista,) = top_influencers(c, ["Acme", "Coffee"], WEEK, limit=5, floor=EVERYONE)
    assert (barista.mentions, barista.engagement) == (2, 42)
