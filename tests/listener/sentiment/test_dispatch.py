from __future__ import annotations

import pickle

from listener.sentiment.dispatch import Sentiment
from listener.sentiment.result import UNSCORED


def test_each_language_goes_to_its_own_scorer_and_others_are_not_scored():
    sentiment = Sentiment(model="vader")
    assert sentiment.score("Le service est nul, je suis déçu", "fr").scorer == "vader-fr"
    assert sentiment.score("The service is awful", "en").scorer == "vader-en"
    assert sentiment.score("El servicio es horrible", "es") == UNSCORED


def test_the_english_lexicon_never_scores_french():
    # "nul" and "déçu" are unknown to the English lexicon: scoring French with it says neutral.
    sentiment = Sentiment(model="vader")
    assert sentiment.score("Je suis vraiment déçu, ce service est nul", "fr").label == "negative"
    assert sentiment.score("Je suis vraiment déçu, ce service est nul", "en").compound == 0


def test_the_dispatcher_pickles_as_its_settings():
    sentiment = Sentiment({"en": {"help": 0.0}}, model="vader")
    sentiment.score("help", "en")
    clone = pickle.loads(pickle.dumps(sentiment))
    assert clone.score("help", "en").compound == 0.0
    assert len(pickle.dumps(sentiment)) < 500


def test_explain_uses_the_scorer_of_the_language_and_nothing_for_unscored_ones():
    sentiment = Sentiment(model="vader")
    assert sentiment.explain("ce service est nul", "fr")[0][0] == "nul"
    assert sentiment.explain("el servicio es horrible", "es") == []


def test_an_unknown_model_name_is_refused():
    import pytest

    with pytest.raises(ValueError, match="learned, vader"):
        Sentiment(model="bert")


def test_warming_reads_every_learned_heads_lexicons_before_any_text(monkeypatch):
    from listener.sentiment import features
    from listener.sentiment.learned import LearnedModel

    model = LearnedModel.load()  # a fresh one: nothing read yet
    monkeypatch.setattr("listener.sentiment.dispatch.load_learned", lambda _path=None: model)
    read = []
    monkeypatch.setattr(features, "lexicon", lambda name: read.append(name) or {})
    Sentiment(model="learned").warm()
    wanted = {name for head in model.card["heads"].values() for name in head.get("lexicons", ())}
    assert wanted and set(read) == wanted
