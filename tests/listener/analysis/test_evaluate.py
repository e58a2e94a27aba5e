from __future__ import annotations

import json

import pytest

from listener.analysis.evaluate import LabelsError, evaluate, metrics, read_labels


def test_metrics_known_answer():
    truth = ["positive", "positive", "negative", "neutral", "negative"]
    predicted = ["positive", "neutral", "negative", "neutral", "unscored"]
    result = metrics(truth, predicted)
    assert (result.n, result.unscored) == (5, 1)
    assert result.accuracy == pytest.approx(3 / 5)
    assert result.accuracy_scored == pytest.approx(3 / 4)
    assert result.precision["neutral"] == 0.5 and result.recall["positive"] == 0.5
    assert result.recall["negative"] == 0.5 and result.precision["negative"] == 1.0
    f1 = {"positive": 2 / 3, "neutral": 2 / 3, "negative": 2 / 3}
    assert result.macro_f1 == pytest.approx(sum(f1.values()) / 3)
    assert result.confusion["negative"] == {"positive": 0, "neutral": 0, "negative": 1,
                                            "unscored": 1}


def test_evaluate_free_texts_through_the_scoring_path(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        "text,label\n"
        "I love this coffee so much,positive\n"
        "This is the worst service I have ever had,negative\n"
        "Le café était horrible et froid,negative\n"
        "Kahve bugün gerçekten çok güzeldi,positive\n"
        "@acme the store opens at nine,neutral\n", encoding="utf-8")
    result = evaluate(read_labels(path), queries={"Acme": "acme"})
    assert result.n == 5 and result.unscored == 1  # Turkish: no scorer
    assert result.accuracy == pytest.approx(4 / 5)
    assert result.languages == {"en": 3, "fr": 1, "tr": 1}
    assert set(json.loads(json.dumps(result.as_dict()))) >= {"n", "accuracy", "macro_f1",
                                                             "unscored", "confusion"}


def test_bad_labels_name_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nfine,positive\nhmm,happy\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="line 3"):
        read_labels(path)
    other = tmp_path / "cols.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="text,label or source,id,label"):
        read_labels(other)


def test_a_bad_labels_file_reports_every_bad_line_by_number(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nfine,positive\nmeh,maybe\n,negative\nok,neu\nbad,-2\n",
                    encoding="utf-8")
    with pytest.raises(LabelsError) as caught:
        read_labels(path)
    message = str(caught.value)
    assert "3 bad line(s)" in message
    assert "line 3: label 'maybe'" in message and "line 4: no value for text" in message
    assert "line 6: label '-2'" in message and "line 2" not in message and "line 5" not in message
