from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from listener.analysis import terms
from listener.analysis.period import iso_week
from listener.analysis.terms import emerging_terms, log_odds, tokens
from storage.db import create
from storage.mentions import text_hash
from tests.builders import Data

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


def test_a_term_reads_as_most_written_with_the_first_of_its_most_copied_posts(data, engine):
    data.topic("Acme", "acme")
    posted = {"acme brule again": 3, "acme brûlé today": 3, "acme brûlé ugh": 1, "acme brulé hmm": 2}
    for i, (text, copies) in enumerate(posted.items()):
        for copy in range(copies):
            data.mention("Acme", WEEK.start + timedelta(hours=i, minutes=copy), text, label=None,
                         url=f"https://example.com/{i}-{copy}")
    for day in range(1, 4):
        data.mention("Acme", WEEK.start - timedelta(days=day), "acme coffee tastes good", label=None)
    with engine.connect() as c:
        found = emerging_terms(c, "Acme", WEEK, limit=10)
    term = next(t for t in found if "brûlé" in t.term.split(" · "))
    assert term.term == "brûlé"  # 4 copies write it so, 3 "brule", 2 "brulé"
    assert (term.count, term.previous_count) == (9, 0)
    # two posts have 3 copies: the example is the first read (the smaller text hash)
    assert text_hash("acme brule again") < text_hash("acme brûlé today")
    assert term.example == "acme brule again" and term.example_url == "https://example.com/0-0"


_FIRST_TOKEN_RE = re.compile(r"(?<![\w@#])([@#]?)(\w[\w'’-]*\w|\w)")


def _whole_text_tokens(text: str, lang: str | None, exclude: frozenset[str]) -> dict[str, str]:
    """tokens() as first written: its first token pattern over the whole text, term by term."""
    stop = terms.stopwords(lang)
    found: dict[str, str] = {}
    previous = None
    for sigil, word in _FIRST_TOKEN_RE.findall(terms._URL_RE.sub(" ", text)):
        term = terms._term(sigil + word, stop, exclude)
        if term is None:
            previous = None
            continue
        key, shown = term
        found.setdefault(key, shown)
        if key[0] == "#":  # a hashtag joins no phrase
            previous = None
            continue
        if previous is not None:
            found.setdefault(f"{previous[0]} {key}", f"{previous[1]} {shown}")
        previous = term
    return found


TRICKY = [
    "", "#", "@", "##tag", "#@x", "@@foo", "a#b", "cold foo#bar brew", "mail x@y.com now", "RT @acme: cold brew",
    "https://t.co/xyz cold brew", "cold www.example.com/x brew", "foowww.bar.com brew", "l'avion d'Air France",
    "don't stop believin'", "it's 'quoted', ’curly’ and -dashed- words", "rock'n'roll o’neill’s café",
    "Brûlé brule BRÛLÉ brûlé", "straße STRASSE", "İstanbul ﬁne ﬂow", "ｆｕｌｌ ｗｉｄｔｈ", "日本語 コーヒー",
    "xyz ͺͺͺ abc", "ﷺ coffee ﷺﷺﷺ tea", "☕☕ cold 😀 #☕ #cold☕ @☕ brew", "cold\tbrew\ncold\u00a0brew\u3000cold",
    "cold\u200bbrew", "cold\x1cbrew\x85brew", "123 4567 #2026 #123abc abc123", "___ _a_ __init__", "-- a-b-c k-pop",
    "cold #x brew", "cold, brew! cold; brew? cold… brew", "the cold and the brew", "a" * 3000, "cold brew " * 500,
]


def test_tokens_read_chunk_by_chunk_are_those_of_the_whole_text(monkeypatch):
    rng = random.Random(7)
    alphabet = "ab cé#@'’-_.,!:/w1\tÉ☕\u00a0ﷺ"
    texts = TRICKY + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    exclude = frozenset({"cold", "cafe"})
    for bound in (terms._KNOWN_MAX, 7):  # remembered, and forgotten every few chunks
        monkeypatch.setattr(terms, "_KNOWN_MAX", bound)
        terms._vocabulary.cache_clear()
        for _ in range(2):  # learning, then remembered
            for i, text in enumerate(texts):
                lang = (None, "en", "fr", "de")[i % 4]
                for excluded in (frozenset(), exclude):
                    assert list(tokens(text, lang, excluded).items()) == list(
                        _whole_text_tokens(text, lang, excluded).items()), (text, lang, excluded)
    terms._vocabulary.cache_clear()


@pytest.fixture
def any_engine(database_url):
    """SQLite and, with LISTENER_TEST_POSTGRES_URL set, PostgreSQL (``engine`` here is SQLite)."""
    engine = create(database_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(("margin", "slices"), [(0.3, 2), (1_000, 1)])
def test_a_week_read_in_hash_slices_is_its_texts_with_the_smallest_hashes(any_engine, monkeypatch,
                                                                          margin, slices):
    monkeypatch.setattr(terms, "SLICE_MARGIN", margin)  # 0.3: the first slice falls short
    data = Data(any_engine)
    topic_id = data.topic("Acme", "acme")
    texts = [f"acme outage number{i}" for i in range(24)]
    for i, text in enumerate(texts):
        for copy in range(1 + (i % 3 == 0)):  # every third text posted twice
            data.mention("Acme", WEEK.start + timedelta(hours=i, minutes=copy), text, label=None,
                         lang="fr" if copy else "en", url=f"https://example.com/{i}-{copy}")
    statements: list[str] = []
    event.listen(any_engine, "before_cursor_execute",
                 lambda _c, _cursor, statement, *_: statements.append(statement))
    with any_engine.connect() as c:
        rows = terms._week_texts(c, topic_id, WEEK.start, WEEK.end, 5, urls=True)
    smallest = sorted(range(len(texts)), key=lambda i: text_hash(texts[i]))[:5]
    assert rows == [(text_hash(texts[i]), texts[i], 2 if i % 3 == 0 else 1, "en",
                     f"https://example.com/{i}-0") for i in smallest]
    assert sum("GROUP BY" in s for s in statements) == slices


def test_a_word_that_folds_to_nothing_is_no_term_and_breaks_no_digest():
    # halfwidth sound marks are word characters that normalising removes entirely
    assert tokens("espresso ﾞﾞﾞ latte #ﾞﾞﾞ l'ﾞﾞﾞ") == {"espresso": "espresso", "latte": "latte"}
