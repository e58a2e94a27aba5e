import math
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from listener.sentiment.adjust import Calibration, shipped_calibrations
from listener.sentiment.card import DATA_DIR, load_card
from listener.sentiment.learned import LABELS, LearnedModel, ModelFileError, load_default


@pytest.fixture(scope="module")
def model():
    return load_default()


def test_the_shipped_model_scores_english_and_only_languages_that_passed_the_bar(model):
    assert "en" in model.languages()
    bar = model.card["bar"]
    for lang, info in model.card["languages"].items():
        assert (lang in model.languages()) == info["scored"]
        if info["scored"]:
            assert info["macro_f1"]["val"] >= bar
    with pytest.raises(ValueError, match="does not score language 'ja'"):
        model.predict_proba(["こんにちは"], "ja")


def test_probabilities_have_one_row_per_text_summing_to_one(model):
    probabilities = model.predict_proba(["good", "bad", "the bus leaves at nine"], "en")
    assert probabilities.shape == (3, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert model.predict_proba([], "en").shape == (0, 3)


def test_clear_cases_get_the_label_people_give(model):
    scored = model.score_batch([
        "I love the new store, the staff were so kind, thank you!",
        "Lost my rewards points, the app keeps crashing",
        "Worst customer service ever. Never again.",
    ], "en")
    assert [label for label, _ in scored] == ["positive", "negative", "negative"]
    assert scored[0][1] > 0.3 and scored[2][1] < -0.3


def test_handles_do_not_change_the_score(model):
    assert model.score_batch(["@acme thanks a lot"], "en") == model.score_batch(["thanks a lot"], "en")


@pytest.mark.parametrize("text", [
    "", "   ", "😡😡😡", "🙂", "x" * 50_000, "great service " * 5_000,
    "Великолепно 素晴らしい great مرحبا 👍", "\x00\ufffd\U0010ffff", r"\ud83d broken escape",
])
def test_any_text_gets_a_score_never_an_error(model, text):
    for lang in sorted(model.languages()):
        [(label, compound)] = model.score_batch([text], lang)
        assert label in LABELS
        assert -1.0 <= compound <= 1.0 and math.isfinite(compound)


def test_explain_names_the_words_that_pushed_the_score_with_their_sign(model):
    pushes = dict(model.explain("the staff were terrible but the coffee was great", "en", k=10))
    assert pushes["terrible"] < 0 < pushes["great"]
    top = model.explain("the staff were terrible but the coffee was great", "en", k=2)
    assert len(top) == 2 and {word for word, _ in top} <= set(pushes)
    assert abs(top[0][1]) >= abs(top[1][1])
    assert model.explain("", "en") == []


def test_calibrations_ship_for_the_learned_model_and_both_vader_scorers(model):
    learned = shipped_calibrations(model.name)
    assert set(learned) == set(model.languages())
    assert set(shipped_calibrations("vader-en")) == {"en"}
    assert set(shipped_calibrations("vader-fr")) == {"fr"}
    assert shipped_calibrations("no-such-scorer") == {}
    english = learned["en"]
    assert isinstance(english, Calibration) and english.n >= 1_000
    # a useful model: each true class is predicted right more often than as any other label
    assert (np.diag(english.confusion) > 0.5).all()
    assert load_card()["name"] == model.name


@pytest.fixture
def copied(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(DATA_DIR, target)
    return target


def test_a_missing_weights_file_names_it_and_the_rebuild_command(copied):
    (copied / "en.npz").unlink()
    with pytest.raises(ModelFileError) as caught:
        LearnedModel.load(copied)
    assert str(copied / "en.npz") in str(caught.value)
    assert "python -m listener.sentiment.train --data" in str(caught.value)


def test_a_corrupt_weights_file_is_a_model_file_error(copied):
    (copied / "multi.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelFileError, match=r"multi\.npz"):
        LearnedModel.load(copied)


def test_weights_that_do_not_fit_the_card_are_a_model_file_error(copied):
    np.savez(copied / "en.npz", weights=np.zeros((10, 3), dtype=np.float16), bias=np.zeros(3))
    with pytest.raises(ModelFileError, match="do not fit"):
        LearnedModel.load(copied)


def test_an_incomplete_card_is_a_model_file_error(copied):
    (copied / "card.json").write_text('{"name": "learned-1"}', encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"card\.json"):
        LearnedModel.load(copied)


def test_the_default_model_is_loaded_once():
    assert load_default() is load_default()


def test_scoring_imports_neither_scikit_learn_nor_scipy():
    code = ("import sys; from listener.sentiment.learned import load_default; "
            "load_default().score_batch(['great'], 'en'); "
            "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[3])
    assert result.stdout.strip() == "[]"


def test_the_model_pickles_as_its_files_and_scores_the_same_after(model):
    again = pickle.loads(pickle.dumps(model))
    texts = ["what a lovely day", "this is broken again"]
    assert again.score_batch(texts, "en") == model.score_batch(texts, "en")
