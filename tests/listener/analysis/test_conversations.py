from __future__ import annotations

from datetime import timedelta

import pytest

from listener.analysis.conversations import is_question, to_answer
from listener.analysis.period import iso_week

WEEK = iso_week("2026-W47")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("@acme is the shop open on sunday?", True),
     ("@acme how do I reset my password", True),
     ("@acme Pourquoi ma commande n'est pas arrivée", True),
     ("@acme est-ce que le magasin est ouvert", True),
     ("@acme can't believe how good this is", False),
     ("@acme thanks for the coffee", False),
     ("Had a meeting at @acme today https://news.example/a-meeting/?utm_source=hn", False)],
)
def test_question_form_in_english_and_french(text, expected):
    assert is_question(text) is expected


def test_to_answer_finds_high_reach_criticism_and_questions_newest_first(data, engine):
    data.topic("Acme", '"acme coffee" OR @acme')
    data.topic("Rival", "@rival OR rival", kind="competitor")
    t = WEEK.start
    angry_big = data.mention("Acme", t + timedelta(hours=1), "acme coffee made me sick",
                             label="negative", author="critic", followers=50_000)
    data.mention("Acme", t + timedelta(hours=2), "acme coffee is bad", label="negative",
                 author="nobody", followers=10)  # low reach
    question = data.mention("Acme", t + timedelta(hours=3), "@Acme when do you open?",
                            author="cust", followers=5)
    data.mention("Acme", t + timedelta(hours=4), "@acme love it", label="positive",
                 author="fan", followers=5)  # not a question
    data.mention("Acme", t + timedelta(hours=5), "@acme why is it closed?", author="acme")  # brand
    data.mention("Acme", t + timedelta(hours=6), "RT acme coffee made me sick",
                 label="negative", author="rt", followers=90_000, is_repost=True)
    data.mention("Rival", t + timedelta(hours=7), "@rival are you open?", author="x")
    both = data.mention("Acme", t + timedelta(hours=8), "@acme why is my order late? terrible",
                        label="negative", author="vip", followers=20_000)
    data.mention("Acme", t - timedelta(hours=1), "@acme open today?", author="old")  # too old
    with engine.connect() as c:
        found = to_answer(c, ["Acme", "Rival"], since=t, min_followers=1000)
    assert [f.mention_id for f in found] == [both, question, angry_big]
    assert found[0].reason == "negative, high reach; question to @acme"
    assert found[1].reason == "question to @acme"
    assert found[2].reason == "negative, high reach" and found[2].url
