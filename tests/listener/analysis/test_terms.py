from __future__ import annotations

from datetime import timedelta

from listener.analysis.period import iso_week
from listener.analysis.terms import emerging_terms, log_odds, tokens
from storage.mentions import text_hash

WEEK = iso_week("2026-W47")


def test_tokens_drop_stopwords_handles_links_and_keep_hashtags():
    assert set(tokens("The @acme app crashed again!! #fail https://t.co/xyz", "en")) == {
        "app", "crashed", "app crashed", "#fail"}
    found = tokens("Le café de l'aéroport est très cher", "fr")
    assert found == {"cafe": "café", "aeroport": "aéroport", "cher": "cher"}  # shown as written


def test_stopwords_follow_the_language_of_each_text():
    assert "ist" not in tokens("Der Kaffee ist hervorragend", "de")
    assert "ist" in tokens("Der Kaffee ist hervorragend", "en")  # not an English stop-word
    assert "tres" not in tokens("Le goût est très amer", None)  # unknown: English and French


def test_phrases_replace_their_words_and_brands_are_never_terms(data, engine):
    data.topic("Acme", "acme")
    data.topic("Rival", "rival", kind="competitor")
    said = ["acme cold brew tastes burnt", "the acme cold brew was sour today",
            "acme: cold brew too watery", "why is acme cold brew so bitter, rival does better",
            "acme cold brew again? no thanks", "tried the acme cold brew, meh"]
    for i, text in enumerate(said):
        data.mention("Acme", WEEK.start + timedelta(hours=i), text, label=None, lang="en",
                     likes=i)
    data.mention("Acme", WEEK.start - timedelta(days=8), "acme is fine", label=None)
    with engine.connect() as c:
        found = emerging_terms(c, "Acme", WEEK, limit=10, exclude=["rival"])
    terms = [t.term for t in found]
    assert "cold brew" in terms and "cold" not in terms and "brew" not in terms
    assert "rival" not in terms and "acme" not in terms
    term = next(t for t in found if t.term == "cold brew")
    assert term.example and "cold brew" in term.example and term.example_url


def test_log_odds_prefers_terms_new_this_period():
    from collections import Counter

    scores = log_odds(Counter(new=10, old=10), Counter(old=60, other=20))
    assert scores["new"] > 0 > scores["old"]


def test_emerging_terms_known_answer(data, engine):
    data.topic("Acme", '"acme coffee" OR #acme')
    for week in range(1, 5):  # the four weeks before: "coffee taste" is the usual talk
        for i in range(5):
            data.mention("Acme", WEEK.start - timedelta(weeks=week, hours=-i),
                         "acme coffee tastes good, nice taste", label=None)
    for i in range(6):  # this week: an outage, plus the usual talk
        data.mention("Acme", WEEK.start + timedelta(hours=i),
                     f"acme coffee app outage again #outage {i}", label=None)
    for i in range(5):
        data.mention("Acme", WEEK.start + timedelta(hours=10 + i),
                     "acme coffee tastes good, nice taste", label=None)
    with engine.connect() as c:
        found = emerging_terms(c, "Acme", WEEK, limit=5)
    terms = [t.term for t in found]
    # "again" is a stopword; words that always come together read as one line
    assert terms[0] == "#outage · app outage"
    assert "acme" not in terms and "coffee" not in terms and "#acme" not in terms
    assert "taste" not in terms  # as common as before
    outage = found[0]
    assert (outage.count, outage.previous_count) == (6, 0) and outage.score > 0


def test_emerging_terms_read_a_capped_deterministic_sample_and_say_so(data, engine, monkeypatch):
    from listener.analysis import terms

    monkeypatch.setattr(terms, "SAMPLE_PER_WEEK", 3)
    data.topic("Acme", '"acme coffee"')
    for i in range(5):  # five distinct texts this week, one of them posted twice
        for copy in range(2 if i == 0 else 1):
            data.mention("Acme", WEEK.start + timedelta(hours=i, minutes=copy),
                         f"acme coffee outage number{i}", label=None)
    data.mention("Acme", WEEK.start - timedelta(days=3), "acme coffee tastes good", label=None)
    texts_0 = "acme coffee outage number0"
    with engine.connect() as c:
        found = emerging_terms(c, "Acme", WEEK, limit=10, min_count=1)
        again = emerging_terms(c, "Acme", WEEK, limit=10, min_count=1)
    assert found == again  # deterministic: the smallest text hashes, not whatever comes first
    outage = next(t for t in found if t.term == "outage")
    assert (outage.texts, outage.previous_texts, outage.previous_mentions) == (3, 1, 1)
    texts = {f"acme coffee outage number{i}": f"number{i}" for i in range(5)}
    sampled = sorted(texts, key=text_hash)[:3]  # the three smallest hashes
    assert {t.term for t in found if t.term.startswith("number")} == {texts[t] for t in sampled}
    assert outage.mentions == outage.count == 3 + (texts_0 in sampled)  # copies weigh in
