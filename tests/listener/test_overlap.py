"""Scoring alongside an import: the same scores as importing then scoring, each mention once, kill-safe."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from listener import operations
from listener.config import validate
from listener.importer import import_file
from listener.sentiment.pending import score_pending
from storage import db

TOPICS = [{"name": "Acme", "kind": "brand", "query": '"acme coffee" OR @acmecoffee'}]
TEXTS = ["I love Acme Coffee, best espresso {i}", "@acmecoffee my order {i} arrived cold, terrible",
         "Acme coffee était vraiment nul ce matin, commande {i}", "acme coffee store {i} opens at nine",
         "Great latte at Acme Coffee today :) #{i}"]
SCRIPT = """
import json, sys
from pathlib import Path
from listener import config, operations
operations.import_file(config.validate(json.loads(sys.argv[1])), Path(sys.argv[2]))
"""


def corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({
                "source": "x", "id": str(i), "text": TEXTS[i % len(TEXTS)].format(i=i // 3),
                "created_at": 1794823200 + i, "author": f"user{i % 97}",
                "lang": "en" if i % 4 else None}) + "\n")
    return path


def raw(db_path: Path) -> dict:
    return {"storage": {"url": f"sqlite:///{db_path}"}, "topics": TOPICS, "scoring": {"workers": 1}}


def stored_scores(db_path: Path) -> dict[str, tuple]:
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT m.external_id, s.lang, s.label, s.compound, s.scorer "
            "FROM mentions m JOIN scores s ON s.mention_id = m.id").fetchall()
    return {row[0]: row[1:] for row in rows}


def _scored(path: Path) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1)
    except sqlite3.OperationalError:  # not created yet
        return False
    try:
        return connection.execute("SELECT COUNT(*) FROM scores").fetchone()[0] > 0
    except sqlite3.OperationalError:  # not created yet, or busy
        return False
    finally:
        connection.close()


def imported_then_scored(tmp_path: Path, data: Path) -> dict[str, tuple]:
    path = tmp_path / "sequential.db"
    config = validate(raw(path))
    engine = db.create(config.storage.url)
    try:
        import_file(engine, config, data)
        score_pending(engine, config)
    finally:
        engine.dispose()
    return stored_scores(path)


def test_import_scores_every_mention_once_as_importing_then_scoring_would(tmp_path, forking):
    data = corpus(tmp_path / "m.jsonl", 3_000)
    outcome = operations.import_file(validate(raw(tmp_path / "overlap.db")), data)
    scores = stored_scores(tmp_path / "overlap.db")
    assert outcome.imported.new == 3_000
    assert outcome.score.mentions == len(scores) == 3_000  # each mention counted (and scored) once
    assert scores == imported_then_scored(tmp_path, data)


@pytest.mark.slow
@pytest.mark.real_sleep  # polls a real subprocess
def test_an_import_killed_while_scoring_alongside_then_rerun_ends_with_every_score_once(tmp_path):
    data = corpus(tmp_path / "m.jsonl", 20_000)
    path = tmp_path / "killed.db"
    args = [sys.executable, "-c", SCRIPT, json.dumps(raw(path)), str(data)]
    with subprocess.Popen(args) as process:
        try:
            while process.poll() is None and not _scored(path):
                time.sleep(0.05)
            assert process.poll() is None, "the import ended before it could be killed"
        finally:
            os.kill(process.pid, signal.SIGKILL)  # the parent only: its scoring child dies with it
    with sqlite3.connect(path) as connection:
        partial = connection.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
    assert 0 < partial < 20_000
    subprocess.run(args, check=True, timeout=300)
    scores = stored_scores(path)
    assert len(scores) == 20_000
    assert scores == imported_then_scored(tmp_path, data)
