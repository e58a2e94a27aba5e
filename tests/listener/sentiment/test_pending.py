from __future__ import annotations

from sqlalchemy import func, select

from listener.config import ScoringConfig
from listener.sentiment.pending import score_pending
from listener.sentiment.vader import VaderEnglish
from storage.schema import scores
from storage.scores import WATERMARK_KEY
from storage.state import get_meta

VADER_ONLY = ScoringConfig(model="vader")  # these tests are about the pipeline, with a scorer they can read


def test_mixed_english_french_spanish_scores_en_and_fr_and_counts_es_unscored(rows):
    en = rows.mention(1, "The coffee was terrible and the staff was rude")
    fr = rows.mention(2, "Le café était horrible et le personnel très désagréable")
    es = rows.mention(3, "El café estaba horrible y el personal fue muy grosero")
    report = score_pending(rows.engine, VADER_ONLY)
    stored = rows.scores()
    assert (stored[en].lang, stored[en].scorer, stored[en].label) == ("en", "vader-en", "negative")
    assert (stored[fr].lang, stored[fr].scorer, stored[fr].label) == ("fr", "vader-fr", "negative")
    assert (stored[es].lang, stored[es].scorer, stored[es].label) == ("es", "none", "unscored")
    assert stored[es].compound is None
    assert all(stored[i].lang_detected for i in (en, fr, es))
    assert (report.scored, report.unscored, report.unscored_by_lang) == (2, 1, {"es": 1})


def test_brand_named_like_a_sentiment_word_is_not_scored_positive_for_its_name(sqlite_rows):
    rows = sqlite_rows
    assert VaderEnglish().score("United flight to Denver").label == "positive"  # the trap
    united = rows.topic("United", 'united OR @united OR #united OR "united airlines"')
    plain = rows.mention(1, "@united my flight to Denver today is boarding at gate B12",
                         topic_ids=[united])
    name = rows.mention(2, "Flying United Airlines to Denver today #united", lang="en",
                        topic_ids=[united])
    score_pending(rows.engine, VADER_ONLY)
    stored = rows.scores()
    assert stored[plain].label == "neutral" and stored[plain].compound == 0
    assert stored[name].label == "neutral" and stored[name].compound == 0


def test_duplicates_in_the_database_are_scored_once_and_reported(sqlite_rows):
    for i in range(5):
        sqlite_rows.mention(i, f"@user{i} I love this coffee so much", lang="en")
    sqlite_rows.mention(9, "Worst coffee ever", lang="en")
    report = score_pending(sqlite_rows.engine, VADER_ONLY)
    assert (report.mentions, report.distinct, report.reused) == (6, 2, 4)


def test_second_run_scores_only_new_mentions(rows):
    for i in range(3):
        rows.mention(i, f"great coffee number {i}", lang="en")
    first = score_pending(rows.engine, VADER_ONLY)
    new = rows.mention(10, "awful coffee today", lang="en")
    second = score_pending(rows.engine, VADER_ONLY)
    third = score_pending(rows.engine, VADER_ONLY)
    assert (first.mentions, second.mentions, third.mentions) == (3, 1, 0)
    assert rows.scores()[new].label == "negative"
    with rows.engine.connect() as c:
        assert get_meta(c, WATERMARK_KEY) == new


def test_chunks_are_written_as_they_are_scored_and_all_arrive(sqlite_rows):
    for i in range(7):
        sqlite_rows.mention(i, f"good coffee {i}", lang="en")
    seen = []
    report = score_pending(sqlite_rows.engine, VADER_ONLY, read_chunk=3,
                           progress=lambda done, total: seen.append((done, total)))
    assert report.mentions == 7 and len(sqlite_rows.scores()) == 7
    assert seen == [(3, 7), (6, 7), (7, 7)]


def test_once_told_to_stop_it_writes_the_chunk_in_hand_and_leaves_the_rest_for_the_next_run(sqlite_rows):
    for i in range(7):
        sqlite_rows.mention(i, f"good coffee {i}", lang="en")
    asked = []
    stopped = score_pending(sqlite_rows.engine, VADER_ONLY, read_chunk=3, until=lambda: asked.append(1) or len(asked) > 1)
    assert stopped.mentions == 6 and len(sqlite_rows.scores()) == 6  # read before the stop: written
    rest = score_pending(sqlite_rows.engine, VADER_ONLY, read_chunk=3)
    assert rest.mentions == 1 and len(sqlite_rows.scores()) == 7


def test_a_mention_below_the_watermark_committed_late_is_still_scored(rows):
    first = rows.mention(1, "good coffee", lang="en")
    late = rows.mention(2, "bad coffee", lang="en")
    rows.mention(3, "nice coffee", lang="en")
    score_pending(rows.engine, VADER_ONLY)
    with rows.engine.begin() as c:  # as if `late` had committed after the run
        c.execute(scores.delete().where(scores.c.mention_id == late))
    assert score_pending(rows.engine, VADER_ONLY).mentions == 1
    assert first in rows.scores()


def test_rescore_after_lexicon_change_changes_the_score(rows):
    mention = rows.mention(1, "Can you help me please", lang="en")
    score_pending(rows.engine, VADER_ONLY)
    before = rows.scores()[mention]
    assert before.label == "positive"  # VADER reads "help"/"please" as positive
    config = ScoringConfig(model="vader", lexicon={"help": 0.0, "please": 0.0})
    assert score_pending(rows.engine, config).mentions == 0  # nothing new without --rescore
    report = score_pending(rows.engine, config, rescore=True)
    after = rows.scores()[mention]
    assert report.mentions == 1
    assert (after.label, after.compound) == ("neutral", 0.0)
    with rows.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(scores)).scalar_one() == 1
