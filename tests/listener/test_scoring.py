from __future__ import annotations

import pickle
from datetime import datetime

import pytest
from sqlalchemy import func, insert, select

from listener.config import ScoringConfig
from listener.scoring import (
    WATERMARK_KEY,
    BatchScorer,
    Masker,
    Sentiment,
    VaderEnglish,
    VaderFrench,
    label_for,
    score_pending,
    score_texts,
)
from storage.db import create
from storage.mentions import text_hash
from storage.schema import matches, mentions, scores, topics
from storage.state import get_meta

T0 = datetime(2026, 11, 16, 12)


@pytest.fixture
def engine(tmp_path):
    engine = create(f"sqlite:///{tmp_path / 'test.db'}")
    yield engine
    engine.dispose()


def add_topic(connection, name, query, kind="brand"):
    return connection.execute(
        insert(topics).values(name=name, kind=kind, query=query).returning(topics.c.id)
    ).scalar_one()


def add_mention(connection, external_id, text, *, lang=None, topic_ids=(), source="x"):
    mention_id = connection.execute(
        insert(mentions).values(
            source=source, external_id=str(external_id), created_at=T0, collected_at=T0,
            text=text, lang=lang, text_hash=text_hash(text),
        ).returning(mentions.c.id)
    ).scalar_one()
    for topic_id in topic_ids:
        connection.execute(insert(matches).values(topic_id=topic_id, mention_id=mention_id,
                                                  created_at=T0))
    return mention_id


def stored(engine):
    with engine.connect() as connection:
        return {row.mention_id: row for row in connection.execute(select(scores))}


def test_labels_use_vader_thresholds():
    assert [label_for(x) for x in (0.05, 0.049, -0.049, -0.05)] == [
        "positive", "neutral", "neutral", "negative"]


def test_mixed_english_french_spanish_scores_en_and_fr_and_counts_es_unscored(engine):
    with engine.begin() as c:
        en = add_mention(c, 1, "The coffee was terrible and the staff was rude")
        fr = add_mention(c, 2, "Le café était horrible et le personnel très désagréable")
        es = add_mention(c, 3, "El café estaba horrible y el personal fue muy grosero")
    report = score_pending(engine, ScoringConfig())
    rows = stored(engine)
    assert (rows[en].lang, rows[en].scorer, rows[en].label) == ("en", "vader-en", "negative")
    assert (rows[fr].lang, rows[fr].scorer, rows[fr].label) == ("fr", "vader-fr", "negative")
    assert (rows[es].lang, rows[es].scorer, rows[es].label) == ("es", "none", "unscored")
    assert rows[es].compound is None
    assert all(rows[i].lang_detected for i in (en, fr, es))
    assert (report.scored, report.unscored, report.unscored_by_lang) == (2, 1, {"es": 1})


def test_brand_named_like_a_sentiment_word_is_not_scored_positive_for_its_name(engine):
    assert VaderEnglish().score("United flight to Denver").label == "positive"  # the trap
    with engine.begin() as c:
        united = add_topic(c, "United", 'united OR @united OR #united OR "united airlines"')
        plain = add_mention(c, 1, "@united my flight to Denver today is boarding at gate B12", topic_ids=[united])
        name = add_mention(c, 2, "Flying United Airlines to Denver today #united",
                           lang="en", topic_ids=[united])
    score_pending(engine, ScoringConfig())
    rows = stored(engine)
    assert rows[plain].label == "neutral" and rows[plain].compound == 0
    assert rows[name].label == "neutral" and rows[name].compound == 0


def test_handles_and_hashtags_are_masked_even_without_a_topic():
    scored = score_texts(["@happy_airlines #love the flight leaves at noon"])[0]
    assert "happy" not in scored.masked and "love" not in scored.masked
    assert scored.score.label == "neutral"


def test_french_is_scored_with_the_french_lexicon():
    fr = score_texts(["Je suis vraiment déçu, ce service est nul"])[0]
    assert (fr.lang, fr.score.scorer, fr.score.label) == ("fr", "vader-fr", "negative")
    # the English lexicon does not know these words at all
    assert VaderEnglish().score("Je suis vraiment déçu, ce service est nul").compound == 0


def test_identical_masked_texts_are_scored_once(monkeypatch):
    calls = []
    original = VaderEnglish.score

    def counting(self, text):
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(VaderEnglish, "score", counting)
    texts = ["RT @a: I love this coffee so much", "RT @b: I love this coffee so much",
             "I love this coffee  so much", "I love this coffee so much",
             "I hate waiting for my coffee"]
    results = score_texts(texts, tags=["en"] * 5, workers=1)
    assert len(calls) == 3  # "RT : I love…", "I love…", "I hate…"
    assert len({r.score.compound for r in results[:4]}) == 1


def test_duplicates_in_the_database_are_scored_once_and_reported(engine, monkeypatch):
    with engine.begin() as c:
        for i in range(5):
            add_mention(c, i, f"@user{i} I love this coffee so much", lang="en")
        add_mention(c, 9, "Worst coffee ever", lang="en")
    report = score_pending(engine, ScoringConfig())
    assert (report.mentions, report.distinct, report.reused) == (6, 2, 4)


def test_second_run_scores_only_new_mentions(engine):
    with engine.begin() as c:
        for i in range(3):
            add_mention(c, i, f"great coffee number {i}", lang="en")
    first = score_pending(engine, ScoringConfig())
    with engine.begin() as c:
        new = add_mention(c, 10, "awful coffee today", lang="en")
    second = score_pending(engine, ScoringConfig())
    third = score_pending(engine, ScoringConfig())
    assert (first.mentions, second.mentions, third.mentions) == (3, 1, 0)
    assert stored(engine)[new].label == "negative"
    with engine.connect() as c:
        assert get_meta(c, WATERMARK_KEY) == new


def test_a_mention_below_the_watermark_committed_late_is_still_scored(engine):
    with engine.begin() as c:
        first = add_mention(c, 1, "good coffee", lang="en")
        late = add_mention(c, 2, "bad coffee", lang="en")
        add_mention(c, 3, "nice coffee", lang="en")
    score_pending(engine, ScoringConfig())
    with engine.begin() as c:  # as if `late` had committed after the run
        c.execute(scores.delete().where(scores.c.mention_id == late))
    assert score_pending(engine, ScoringConfig()).mentions == 1
    assert first in stored(engine)


def test_rescore_after_lexicon_change_changes_the_score(engine):
    with engine.begin() as c:
        mention = add_mention(c, 1, "Can you help me please", lang="en")
    score_pending(engine, ScoringConfig())
    before = stored(engine)[mention]
    assert before.label == "positive"  # VADER reads "help"/"please" as positive
    config = ScoringConfig(lexicon={"help": 0.0, "please": 0.0})
    assert score_pending(engine, config).mentions == 0  # nothing new without --rescore
    report = score_pending(engine, config, rescore=True)
    after = stored(engine)[mention]
    assert report.mentions == 1
    assert (after.label, after.compound) == ("neutral", 0.0)
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(scores)).scalar_one() == 1


def test_french_lexicon_overrides_apply_without_accents():
    scorer = VaderFrench({"Génial": -3.0})
    assert scorer.score("C'est génial").label == "negative"


def test_scorers_pickle_as_their_settings():
    sentiment = Sentiment({"en": {"help": 0.0}})
    sentiment.score("help", "en")
    clone = pickle.loads(pickle.dumps(sentiment))
    assert clone.score("help", "en").compound == 0.0
    assert len(pickle.dumps(sentiment)) < 500


def test_large_batches_use_a_process_pool_with_the_same_results():
    texts = [f"I love coffee number {i}" for i in range(300)] + ["hola amigos como estan"]
    sentiment = Sentiment({"en": {"love": -2.0}})
    with BatchScorer(sentiment, workers=2, in_process_max=10, task_size=100) as batch:
        pooled = batch.run(texts)
        assert batch._pool is not None
    assert [score for _, score in pooled[:-1]] == [sentiment.score(t, "en") for t in texts[:-1]]
    assert pooled[0][1].label == "negative"  # the override reached the workers
    assert pooled[-1][0].language.code == "es" and pooled[-1][1].label == "unscored"


def test_masker_merges_terms_of_all_matched_topics():
    masker = Masker({1: '"acme coffee" OR @acme', 2: "rival"})
    assert masker.mask("acme coffee beats rival, says @bob", [1, 2]).split() == ["beats", ",", "says"]
