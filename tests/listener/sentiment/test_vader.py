from __future__ import annotations

import pickle

from listener.sentiment.vader import VaderEnglish, VaderFrench, label_for


def test_labels_use_vader_thresholds():
    assert [label_for(x) for x in (0.05, 0.049, -0.049, -0.05)] == [
        "positive", "neutral", "neutral", "negative"]


def test_english_lexicon_overrides_change_the_score():
    assert VaderEnglish().score("Can you help me please").label == "positive"
    assert VaderEnglish({"help": 0.0, "please": 0.0}).score("Can you help me please").compound == 0


def test_french_lexicon_overrides_apply_without_accents():
    scorer = VaderFrench({"Génial": -3.0})
    assert scorer.score("C'est génial").label == "negative"


def test_valence_reads_the_lexicon_with_overrides():
    scorer = VaderFrench({"nul": 0.5})
    assert scorer.valence("Nul") == 0.5
    assert VaderEnglish().valence("horrible") < 0
    assert VaderEnglish().valence("coffee") is None


def test_a_scorer_pickles_as_its_settings_and_keeps_its_overrides():
    scorer = VaderEnglish({"help": 0.0})
    clone = pickle.loads(pickle.dumps(scorer))
    assert clone.score("help").compound == 0.0
    assert len(pickle.dumps(scorer)) < 300


def test_explain_gives_the_strongest_lexicon_words_signed_with_overrides():
    scorer = VaderEnglish({"help": 0.0})
    assert scorer.explain("Great coffee, but the staff was RUDE!! :( help", k=3) == [
        ("great", 3.1), ("rude", -2.0), (":(", -1.9)]
    assert VaderEnglish().explain("the flight leaves at noon") == []
