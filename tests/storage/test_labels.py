from __future__ import annotations

from datetime import datetime

from storage import labels, scores

NOW = datetime(2026, 11, 20, 9)


def _scored(rows, external_id, text, label, lang="en", scorer="vader-en"):
    mention_id = rows.mention(external_id, text)
    with rows.engine.begin() as c:
        scores.write(c, [{"mention_id": mention_id, "lang": lang, "lang_detected": True,
                          "label": label, "compound": None, "pos": None, "neu": None,
                          "neg": None, "scorer": scorer, "scored_at": NOW}])
    return mention_id


def test_relabelling_a_mention_keeps_one_label_the_last_one(rows):
    mention = _scored(rows, 1, "text", "neutral")
    with rows.engine.begin() as c:
        labels.record(c, mention, "positive", NOW)
        labels.record(c, mention, "negative", NOW)
        assert labels.count(c) == 1
        assert [row.label for row in labels.labelled(c)] == ["negative"]


def test_candidates_are_scored_unlabelled_mentions_only(rows):
    labelled = _scored(rows, 1, "a", "positive")
    waiting = _scored(rows, 2, "b", "negative")
    _scored(rows, 3, "c", "unscored", lang="es", scorer="none")
    rows.mention(4, "not scored yet")
    with rows.engine.begin() as c:
        labels.record(c, labelled, "positive", NOW)
        assert [row.id for row in labels.unlabelled_candidates(c, 10)] == [waiting]


def test_confusion_counts_compare_labels_with_one_scorers_labels_per_language(rows):
    pairs = [("positive", "positive"), ("positive", "neutral"), ("negative", "positive"),
             ("neutral", "neutral")]
    for number, (truth, predicted) in enumerate(pairs):
        mention = _scored(rows, number, f"t{number}", predicted)
        with rows.engine.begin() as c:
            labels.record(c, mention, truth, NOW)
    other = _scored(rows, 50, "fr text", "negative", lang="fr", scorer="vader-fr")
    with rows.engine.begin() as c:
        labels.record(c, other, "negative", NOW)
        assert labels.confusion_counts(c, "vader-en") == {
            "en": [[0, 0, 1], [0, 1, 0], [0, 1, 1]]}
        assert labels.confusion_counts(c, "vader-fr") == {"fr": [[1, 0, 0], [0, 0, 0], [0, 0, 0]]}
