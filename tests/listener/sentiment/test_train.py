import hashlib
import json
import random
from dataclasses import replace

import pytest

from listener.sentiment.learned import LearnedModel
from listener.sentiment.train import (
    EN_HEAD,
    MULTI_HEAD,
    OTHER_LANGUAGES,
    DataError,
    build,
    main,
    read_split,
)

pytest.importorskip("sklearn", reason="training needs the train extra (scikit-learn)")

WORDS = {0: ["bad", "awful", "hate", "broken"], 1: ["table", "monday", "bus", "report"],
         2: ["good", "great", "love", "thanks"]}
FILLER = ["the", "a", "we", "it", "today", "store", "le", "der", "el", "il", "o"]


def write_split(folder, lang, split, n, rng):
    labels = [i % 3 for i in range(n)]
    texts = [" ".join(rng.choice(WORDS[label]) for _ in range(2)) + " " +
             " ".join(rng.choice(FILLER) for _ in range(3)) for label in labels]
    (folder / lang).mkdir(parents=True, exist_ok=True)
    (folder / lang / f"{split}_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    (folder / lang / f"{split}_labels.txt").write_text("\n".join(map(str, labels)) + "\n")


@pytest.fixture
def training(tmp_path):
    rng = random.Random(3)
    folder = tmp_path / "training"
    for split in ("train", "val", "test"):
        write_split(folder, "en", split, 120, rng)
    for lang in OTHER_LANGUAGES:
        for split in ("train", "val"):
            write_split(folder, lang, split, 60, rng)
    return folder


def digests(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.iterdir()}


@pytest.mark.slow
def test_training_twice_gives_byte_identical_files_that_load(training, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        out.mkdir()
        # small hash spaces: the same code path, seconds instead of a minute
        build(training, out, grid=(1.0,), heads=(replace(EN_HEAD, bits=10), replace(MULTI_HEAD, bits=10)))
    assert digests(first) == digests(second)
    assert set(digests(first)) == {"card.json", "en.npz", "multi.npz"}
    model = LearnedModel.load(first)
    assert model.score_batch(["great, thanks"], "en")[0][0] == "positive"
    card = json.loads((first / "card.json").read_text())
    assert card["languages"]["en"]["n"] == {"val": 120, "test": 120}
    assert set(card["calibrations"]) == {"learned-1", "vader-en", "vader-fr"}


def test_bad_labels_are_reported_by_line(training):
    (training / "fr" / "val_labels.txt").write_text("0\n1\npositive\n2\n7\n")
    with pytest.raises(DataError) as caught:
        read_split(training, "fr", "val")
    message = str(caught.value)
    assert "val_labels.txt:3: label 'positive'" in message
    assert "val_labels.txt:5: label '7'" in message
    assert "has 60 lines" in message


def test_a_missing_split_stops_with_exit_1(training, tmp_path, capsys):
    (training / "de" / "train_text.txt").unlink()
    with pytest.raises(SystemExit) as caught:
        main(["--data", str(training), "--out", str(tmp_path / "out")])
    assert caught.value.code == 1
    assert "train_text.txt" in capsys.readouterr().err
