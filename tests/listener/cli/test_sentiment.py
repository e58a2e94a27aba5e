"""listener label and listener train through the real CLI (label driven through a pseudo-terminal)."""

from __future__ import annotations

import csv
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from listener.cli import app
from listener.config import load
from listener.sentiment.pending import score_pending
from storage import labels as stored_labels
from storage.db import create

MONDAY = datetime(2026, 11, 2, 12)


@pytest.fixture
def project(tmp_path: Path, make_rows):
    """A config, and a database with scored mentions of two topics over three weeks."""
    config_path = tmp_path / "listener.toml"
    config_path.write_text(f'''
[storage]
url = "sqlite:///{tmp_path / 'listener.db'}"

[[topics]]
name = "Acme"
kind = "brand"
query = "acme"

[[topics]]
name = "Rival"
kind = "competitor"
query = "rival"

[scoring]
model = "vader"  # the explain test reads VADER's lexicon values
''', encoding="utf-8")
    config = load(config_path)
    engine = create(config.storage.url)
    rows = make_rows(engine)
    acme = rows.topic("Acme", "acme")
    rival = rows.topic("Rival", "rival", kind="competitor")
    number = 0
    for week in range(3):
        for topic, name in ((acme, "acme"), (rival, "rival")):
            for hour in range(4):
                number += 1
                rows.mention(number, f"the {name} coffee was really great today, visit {number}",
                             lang="en", topic_ids=[topic],
                             created_at=MONDAY + timedelta(weeks=week, hours=hour))
    rows.mention(99, "\x1b[31mthe acme coffee\x1b[0m was awful and the staff rude", lang="en",
                 topic_ids=[acme], created_at=MONDAY)
    score_pending(engine, config)
    yield config_path, rows
    engine.dispose()


def _spawn(config_path: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-c", "from listener.cli import main; main()",
                                          "--config", str(config_path), "label", *args],
                         encoding="utf-8", timeout=60, dimensions=(40, 200))


@pytest.mark.real_sleep
def test_label_records_keystrokes_from_a_terminal_and_skips_and_quits(project):
    config_path, rows = project
    child = _spawn(config_path, "--limit", "6", "--seed", "3")
    answers = []
    for key in ("n", "p", "s", "u"):
        child.expect(r"\[(\d)/6\] x · 2026-11-\d\d · (Acme|Rival) · en")
        child.expect("q quit > ")
        if key == "n":
            child.send("x")  # not a label key: ignored, the prompt waits
        child.send(key)
        answers.append(key)
    child.expect("q quit > ")
    child.send("q")
    child.expect(r"3 labelled \(negative 1, neutral 1, positive 1\), 1 skipped; 3 labels stored")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with rows.engine.connect() as c:
        stored = sorted(row.label for row in stored_labels.labelled(c))
    assert stored == ["negative", "neutral", "positive"]


@pytest.mark.real_sleep
def test_label_shows_no_terminal_control_sequences_from_mention_text(project):
    config_path, _rows = project
    child = _spawn(config_path, "--limit", "30", "--seed", "1")
    seen = ""
    for _ in range(25):
        child.expect("q quit > ")
        seen += child.before
        child.send("s")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert "was awful" in seen and "\x1b[31m" not in seen


@pytest.mark.real_sleep
def test_label_samples_across_topics_and_weeks(project):
    config_path, _rows = project
    child = _spawn(config_path, "--limit", "6", "--seed", "5")
    groups = set()
    for _ in range(6):
        child.expect(r"x · (2026-\d\d-\d\d) · (Acme|Rival) · en")
        day = datetime.strptime(child.match.group(1), "%Y-%m-%d")
        groups.add((child.match.group(2), day.isocalendar()[1]))
        child.expect("q quit > ")
        child.send("s")
    child.expect(pexpect.EOF)
    child.close()
    assert len(groups) == 6  # two topics x three weeks, one each


def test_label_without_a_terminal_says_so_and_exits_2(project):
    config_path, _rows = project
    result = CliRunner().invoke(app, ["--config", str(config_path), "label"])
    assert result.exit_code == 2 and "needs a terminal" in result.output


def test_labels_export_to_csv_and_evaluate_from_the_database(project, tmp_path):
    config_path, rows = project
    with rows.engine.begin() as c:
        for mention_id, label in ((1, "positive"), (2, "negative"), (25, "negative")):
            stored_labels.record(c, mention_id, label, MONDAY)
    target = tmp_path / "labels.csv"
    result = CliRunner().invoke(app, ["--config", str(config_path), "label", "--export", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [(r["source"], r["id"], r["label"], r["lang"]) for r in exported] == [
        ("x", "1", "positive", "en"), ("x", "2", "negative", "en"), ("x", "99", "negative", "en")]
    assert "awful" in exported[2]["text"]
    stored = CliRunner().invoke(app, ["--config", str(config_path), "eval", "--stored",
                                      "--format", "json"])
    assert stored.exit_code == 0, stored.output
    assert '"n": 3' in stored.output
    again = CliRunner().invoke(app, ["--config", str(config_path), "eval", "--labels", str(target),
                                     "--format", "json"])
    assert again.exit_code == 0 and '"n": 3' in again.output


def test_export_refuses_to_overwrite_the_database(project, tmp_path):
    config_path, _rows = project
    result = CliRunner().invoke(app, ["--config", str(config_path), "label", "--export",
                                      str(tmp_path / "listener.db")])
    assert result.exit_code == 2 and "database" in result.output


def test_mentions_explain_lists_the_words_that_pushed_each_score_never_the_brand(project):
    config_path, _rows = project
    result = CliRunner().invoke(app, ["--config", str(config_path), "mentions", "--explain",
                                      "--limit", "30"])
    assert result.exit_code == 0, result.output
    why = result.output.split("Words that pushed each score", 1)[1]
    assert "x:99 negative: awful -2.0, rude -2.0" in why
    assert "x:1 positive: great +3.1" in why
    assert "acme" not in why.lower()


def test_a_missing_learned_model_file_is_named_with_how_to_rebuild_it_and_exits_2(project, tmp_path):
    config_path, _rows = project
    body = config_path.read_text(encoding="utf-8").replace(
        'model = "vader"  # the explain test reads VADER\'s lexicon values',
        f'model = "learned"\nmodel_path = "{tmp_path / "no-such-model"}"')
    config_path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config_path), "score", "--rescore"])
    assert result.exit_code == 2, result.output
    assert "sentiment model file" in result.output and "python -m listener.sentiment.train" in result.output


LABELLED = Path(__file__).resolve().parents[2] / "fixtures" / "labelled" / "vader_tweets_GroundTruth.tsv"


def _labels_file(path: Path, count: int) -> Path:
    """``text,label`` rows from VADER's human-rated tweets (mean rating / 4, the paper's thresholds)."""
    rows = []
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            _id, rating, text = line.rstrip("\r\n").split("\t")
            value = float(rating) / 4
            rows.append((text, "positive" if value >= 0.05 else "negative" if value <= -0.05 else "neutral"))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows[::len(rows) // count][:count])
    return path


@pytest.mark.slow
def test_train_adapts_the_learned_model_reports_cross_validated_f1_and_rescore_applies_it(project, tmp_path):
    config_path, rows = project
    config_path.write_text(config_path.read_text(encoding="utf-8").replace(
        'model = "vader"  # the explain test reads VADER\'s lexicon values', 'model = "learned"'),
        encoding="utf-8")
    labels = _labels_file(tmp_path / "mine.csv", 120)
    result = CliRunner().invoke(app, ["--config", str(config_path), "train", "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    assert "en: 120 labels, cross-validated macro-F1 0." in result.output
    saved = sorted((tmp_path / "models").iterdir())
    assert len(saved) == 1 and saved[0].name.startswith("learned-user-")
    assert (saved[0] / "card.json").exists() and (saved[0] / "user-en.npz").exists()
    rescored = CliRunner().invoke(app, ["--config", str(config_path), "score", "--rescore"])
    assert rescored.exit_code == 0, rescored.output
    assert {row.scorer for row in rows.scores().values()} == {saved[0].name}


def test_train_with_a_bad_labels_file_lists_every_bad_line_and_exits_1(project, tmp_path):
    config_path, _rows = project
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\ngood,positive\nmeh,maybe\n,neutral\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config_path), "train", "--labels", str(bad)])
    assert result.exit_code == 1
    assert "line 3: label 'maybe'" in result.output and "line 4: no value for text" in result.output
