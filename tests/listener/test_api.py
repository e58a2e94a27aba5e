"""The Python API: typed DataFrames from the CLI's own query paths, and the README's example runs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import listener
from connectors.base import Mention
from listener.cli import app
from listener.config import load
from listener.ingest import Ingestor
from listener.selection import SelectionError
from storage import db as storage_db
from storage.labels import record
from storage.schema import mentions, scores

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
NOW = datetime.now(UTC).replace(microsecond=0)
CONFIG = """
[storage]
url = "sqlite:///{db}"

[[topics]]
name = "Acme"
kind = "brand"
query = "acme"

[[topics]]
name = "Globex"
kind = "competitor"
query = "globex"
"""
# (id, text, author, followers, hours ago, compound or None)
ROWS = [("1", "acme refund is late", "alice", 100, 2, -0.8), ("2", "acme is great", "bob", 5000, 5, 0.7),
        ("3", "globex refund policy", "carol", None, 30, -0.4), ("4", "acme old news", "dave", 10, 24 * 20, -0.6),
        ("5", "acme, encore", "erin", 3, 1, None)]


@pytest.fixture(scope="module")
def config_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("api")
    path = folder / "listener.toml"
    path.write_text(CONFIG.format(db=folder / "listener.db"), encoding="utf-8")
    config = load(path)
    engine = storage_db.create(config.storage.url)
    Ingestor(engine, config.topics).store([
        Mention(source="x", external_id=i, text=text, author=author, author_followers=followers,
                likes=1, created_at=NOW - timedelta(hours=hours), url=f"https://x.test/{i}")
        for i, text, author, followers, hours, _c in ROWS])
    with engine.begin() as connection:
        ids = dict(connection.execute(mentions.select().with_only_columns(
            mentions.c.external_id, mentions.c.id)).all())
        for i, *_rest, compound in ROWS:
            if compound is not None:
                label = "negative" if compound < 0 else "positive"
                connection.execute(scores.insert().values(
                    mention_id=ids[i], lang="en", label=label, compound=compound, scorer="vader-en",
                    scored_at=NOW.replace(tzinfo=None)))
        record(connection, ids["1"], "negative", NOW)
    engine.dispose()
    return path


def test_mentions_is_a_typed_dataframe(config_path):
    with listener.open(config_path) as db:
        frame = db.mentions(topic="acme", since="7d")
    assert list(frame["external_id"]) == ["5", "1", "2"]  # newest first, topic name in any case
    assert str(frame["created_at"].dtype).startswith("datetime64") and str(frame["created_at"].dt.tz) == "UTC"
    assert isinstance(frame["source"].dtype, pd.CategoricalDtype)
    assert list(frame["sentiment"].cat.categories) == ["positive", "neutral", "negative", "unscored"]
    assert frame["author_followers"].dtype == "Int64" and frame["topics"].iloc[0] == ["Acme"]
    assert pd.isna(frame.loc[frame["external_id"] == "5", "sentiment"]).all()  # not scored yet


def test_mentions_match_the_cli_json_export(config_path):
    result = CliRunner().invoke(app, ["--config", str(config_path), "mentions", "--sentiment", "negative",
                                      "--sort", "reach", "--format", "json"])
    assert result.exit_code == 0, result.output
    cli = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    with listener.open(config_path) as db:
        assert list(db.mentions(sentiment="negative", sort="reach")["external_id"]) == cli == ["1", "4", "3"]


def test_bad_filters_are_reported_together(config_path):
    with listener.open(config_path) as db, pytest.raises(SelectionError) as caught:
        db.mentions(topic="Initech", sentiment="angry", since="soon")
    message = str(caught.value)
    assert "Initech" in message and "angry" in message and "soon" in message


def test_trends_are_the_records_of_trends_format_json(config_path):
    week = f"{NOW.isocalendar().year}-W{NOW.isocalendar().week:02d}"
    result = CliRunner().invoke(app, ["--config", str(config_path), "trends", "--week", week,
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    with listener.open(config_path) as db:
        frame = db.trends(weeks=[week])
    expected = pd.json_normalize(json.loads(result.stdout))
    pd.testing.assert_frame_equal(frame.drop(columns=["spikes", "themes"]),
                                  expected.drop(columns=["spikes", "themes"]))
    assert set(frame["topic"]) == {"Acme", "Globex"}


def test_labels_frame(config_path):
    with listener.open(config_path) as db:
        frame = db.labels()
    assert list(frame["external_id"]) == ["1"] and list(frame["label"]) == ["negative"]
    assert str(frame["labelled_at"].dt.tz) == "UTC"


def test_open_without_a_config_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LISTENER_CONFIG", raising=False)
    with pytest.raises(FileNotFoundError, match=r"listener\.toml"):
        listener.open()


def test_the_readme_notebook_example_runs(config_path, monkeypatch, capsys):
    example = re.search(r"## Python API \(notebooks\)\s+```python\n(.*?)```", README, re.S).group(1)
    assert len(example.strip().splitlines()) == 5
    monkeypatch.chdir(config_path.parent)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert list(namespace["negative"]["external_id"]) == ["1"]
    assert "acme refund is late" in capsys.readouterr().out
    namespace["db"].close()
