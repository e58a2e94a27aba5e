from __future__ import annotations

from listener.analysis.evaluate import Labelled
from listener.sentiment.masking import Masker
from listener.sentiment.training import by_language, trainable


def test_labelled_texts_are_masked_and_routed_as_scoring_does():
    masker = Masker({1: "acme"})
    items = [Labelled("@bob Acme lost my order again, really annoyed today", "negative", None, [1]),
             Labelled("acme est vraiment nul, je suis très déçu du service", "negative"),
             Labelled("So annoyed", "negative", None, [])]
    groups = by_language(items, masker, "en")
    assert groups["en"] == (["lost my order again, really annoyed today", "So annoyed"],
                            ["negative", "negative"])
    assert groups["fr"] == (["est vraiment nul, je suis très déçu du service"], ["negative"])


def test_languages_without_the_model_or_enough_labels_are_left_out_with_a_reason():
    groups = {"en": (["t"] * 40, ["neutral"] * 40), "fr": (["t"] * 5, ["neutral"] * 5),
              "ja": (["t"] * 50, ["neutral"] * 50)}
    chosen, left = trainable(groups, frozenset({"en", "fr"}))
    assert list(chosen) == ["en"]
    assert "at least 30" in left["fr"] and "does not score" in left["ja"]
