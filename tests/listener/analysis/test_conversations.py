from __future__ import annotations

from datetime import timedelta

from listener.analysis.conversations import to_answer
from listener.analysis.period import iso_week

WEEK = iso_week("2026-W47")


def test_triage_ranks_by_priority_with_the_reasons(data, engine):
    data.topic("Acme", '"acme coffee" OR @acme')
    data.topic("Rival", "@rival OR rival", kind="competitor")
    t = WEEK.start + timedelta(days=3)
    now = t + timedelta(days=1)
    angry_big = data.mention("Acme", t + timedelta(hours=1), "acme coffee made me sick",
                             label="negative", compound=-0.8, author="critic", followers=50_000)
    angry_small = data.mention("Acme", t + timedelta(hours=2), "acme coffee is bad",
                               label="negative", compound=-0.4, author="nobody", followers=10)
    old_question = data.mention("Acme", t - timedelta(days=2), "@Acme when do you open?",
                                author="cust", followers=5)
    new_question = data.mention("Acme", t + timedelta(hours=23), "@acme do you deliver?",
                                author="cust2", followers=5)
    data.mention("Acme", t + timedelta(hours=4), "@acme love it", label="positive",
                 author="fan", followers=5)  # not a question
    data.mention("Acme", t + timedelta(hours=5), "@acme is opening a shop near the station.",
                 author="press", followers=90_000)  # a statement
    data.mention("Acme", t + timedelta(hours=5), "@acme why is it closed?", author="acme")  # brand
    data.mention("Acme", t + timedelta(hours=6), "RT acme coffee made me sick",
                 label="negative", author="rt", followers=90_000, is_repost=True)
    data.mention("Acme", t - timedelta(days=4), "@acme open today?", author="old")  # too old
    with engine.connect() as c:
        found = to_answer(c, ["Acme", "Rival"], WEEK.start, until=now, limit=10)
    # a direct question outranks a mild complaint from a small account
    assert [f.mention_id for f in found] == [angry_big, old_question, new_question, angry_small]
    assert found[0].reasons == ("negative:-0.80", "followers:50000", "waiting_hours:23")
    assert found[1].reasons == ("followers:5", "question:acme", "waiting_hours:72")
    assert found[0].priority > found[1].priority > found[2].priority > found[3].priority


def test_engagement_stands_for_reach_when_followers_are_unknown(data, engine):
    data.topic("Acme", "@acme")
    t = WEEK.start
    liked = data.mention("Acme", t, "@acme where is my order?", likes=500)
    data.mention("Acme", t, "@acme where is my refund?", likes=2)
    with engine.connect() as c:
        found = to_answer(c, ["Acme"], t, until=t + timedelta(hours=1))
    assert found[0].mention_id == liked and found[0].followers is None
    assert found[0].reasons[0] == "engagement:500"


def test_a_post_the_brand_answered_is_not_listed_and_copies_show_once(data, engine):
    data.topic("Acme", "@acme OR acme")
    t = WEEK.start
    data.mention("Acme", t, "@acme why is my order late?", source="x")
    with engine.begin() as c:  # the brand's reply to it (external ids count from 1)
        from sqlalchemy import insert

        from storage.schema import mentions
        c.execute(insert(mentions).values(
            source="x", external_id="r1", created_at=t, collected_at=t, author="acme",
            text="@cust sorry, looking into it", text_hash="r1", parent_id="1", is_reply=True))
    for source in ("rss", "hackernews"):
        data.mention("Acme", t, "Acme recalls its cold brew", label="negative", compound=-0.6,
                     source=source, story_key="https://news.example/recall")
    with engine.connect() as c:
        found = to_answer(c, ["Acme"], t, until=t + timedelta(hours=1))
    assert len(found) == 1 and found[0].copies == 2
