"""`listener mentions` and `listener authors`: every filter, sort, page and export format."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from connectors.base import Mention
from listener.cli import app
from listener.config import load
from listener.ingest import Ingestor
from storage import db
from storage.schema import mentions, scores

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
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

[[topics]]
name = "Widgets"
kind = "industry"
query = "widgets"
"""

# (id, text, author, followers, likes, hours ago, compound)
ROWS = [
    ("1", "acme refund is late again", "alice", 100, 1, 1, -0.8),
    ("2", "globex launches new widgets", "bob", 5000, 50, 2, 0.4),
    ("3", "I love acme widgets", "carol", 20, 200, 3, 0.9),
    ("4", "acme support [bold]never[/bold] answers <script>", "dave", 90000, 3, 4, -0.3),
    ("5", "widgets market grows", "alice", 100, 0, 30, 0.0),
    ("6", "globex refund policy", "erin", None, None, 50, None),
]


def seed(tmp_path: Path) -> Path:
    path = tmp_path / "listener.toml"
    path.write_text(CONFIG.format(db=tmp_path / "listener.db"), encoding="utf-8")
    config = load(path)
    engine = db.create(config.storage.url)
    batch = [Mention(source="x", external_id=i, text=text, author=author, author_followers=followers,
                     likes=likes, reposts=0 if likes is not None else None, replies=0 if likes is not None else None,
                     created_at=NOW - timedelta(hours=hours), url=f"https://x.test/{i}")
             for i, text, author, followers, likes, hours, _c in ROWS]
    Ingestor(engine, config.topics).store(batch)
    with engine.begin() as connection:
        ids = dict(connection.execute(mentions.select().with_only_columns(mentions.c.external_id, mentions.c.id)).all())
        for i, *_rest, compound in ROWS:
            if compound is None:
                continue
            label = "negative" if compound <= -0.05 else "positive" if compound >= 0.05 else "neutral"
            connection.execute(scores.insert().values(mention_id=ids[i], lang="en", label=label, compound=compound,
                                                      scorer="vader-en", scored_at=NOW.replace(tzinfo=None)))
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def config_path(tmp_path_factory) -> Path:
    """Seeded once: these tests only read."""
    return seed(tmp_path_factory.mktemp("mentions"))


def run(config_path: Path, *args: str):
    result = CliRunner().invoke(app, ["--config", str(config_path), *args])
    return result


def ids(config_path: Path, *args: str) -> list[str]:
    result = run(config_path, "mentions", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_newest_first_by_default(config_path):
    assert ids(config_path) == ["1", "2", "3", "4", "5", "6"]


@pytest.mark.parametrize(("args", "expected"), [
    # ties: the newer stored mention first
    (["--sort", "reach"], ["4", "2", "5", "1", "3", "6"]),
    (["--sort", "engagement"], ["3", "2", "4", "1", "6", "5"]),
    (["--sort", "negative"], ["1", "4", "5", "2", "3", "6"]),
])
def test_sorts(config_path, args, expected):
    assert ids(config_path, *args) == expected


@pytest.mark.parametrize(("args", "expected"), [
    (["--author", "alice"], ["1", "5"]),
    (["--author", "@bob"], ["2"]),
    (["--kind", "competitor"], ["2", "6"]),
    (["--kind", "industry", "--kind", "brand"], ["1", "2", "3", "4", "5"]),
    (["--topic", "acme"], ["1", "3", "4"]),
    (["--sentiment", "negative"], ["1", "4"]),
    (["--from", "2026-11-19T11:00", "--to", "2026-11-20T10:30"], ["2", "3", "4"]),
    (["--search", "refund"], ["1", "6"]),
    (["--search", "acme refund"], ["1"]),
    (["--search", "refund", "--sort", "reach"], ["1", "6"]),
    (["--search", 'OR "x'], []),  # operators in user text are words, never FTS syntax
])
def test_filters(config_path, args, expected):
    assert ids(config_path, *args) == expected


def test_since_is_relative_to_now(config_path):
    # the seeded mentions are in 2026-11; --since with a date is absolute
    assert ids(config_path, "--since", "2026-11-19T00:00") == ["1", "2", "3", "4", "5"]


def test_paging_with_page_and_offset(config_path):
    assert ids(config_path, "--limit", "2", "--page", "2") == ["3", "4"]
    assert ids(config_path, "--limit", "2", "--page", "3") == ["5", "6"]
    assert ids(config_path, "--offset", "4") == ["5", "6"]
    assert ids(config_path, "--sort", "reach", "--limit", "2", "--page", "2") == ["5", "1"]
    assert ids(config_path, "--sort", "negative", "--limit", "2", "--page", "2") == ["5", "2"]


def test_table_highlights_search_matches_without_running_markup(config_path, monkeypatch):
    from rich.console import Console

    wide = Console(width=400, highlight=False, soft_wrap=True, record=True)
    monkeypatch.setattr("listener.cli.core.out", wide)
    result = run(config_path, "mentions", "--search", "acme")
    assert result.exit_code == 0, result.output
    text = wide.export_text()
    assert "acme support [bold]never[/bold] answers <script>" in text  # user text shown as is


def test_highlight_marks_the_matched_words(config_path):
    from listener.config import load as load_config
    from storage.queries import MARK_END, MARK_START, highlights

    engine = db.create(load_config(config_path).storage.url)
    with engine.connect() as connection:
        marked = highlights(connection, "refund", [1, 6])
    assert marked[1] == f"acme {MARK_START}refund{MARK_END} is late again"


def test_csv_export_to_file(config_path, tmp_path):
    target = tmp_path / "out.csv"
    result = run(config_path, "mentions", "--topic", "Acme", "--output", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ["1", "3", "4"]
    assert rows[0]["sentiment_label"] == "negative"
    assert "wrote 3 mentions" in result.stderr


def test_json_export_to_file_has_the_public_shape(config_path, tmp_path):
    target = tmp_path / "out.jsonl"
    assert run(config_path, "mentions", "--output", str(target)).exit_code == 0
    first = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) >= {"source", "id", "url", "author", "created_at", "text", "lang", "topics", "sentiment"}
    assert first["sentiment"] == {"label": "negative", "compound": -0.8}


def test_parquet_export(config_path, tmp_path):
    target = tmp_path / "out.parquet"
    result = run(config_path, "mentions", "--sort", "reach", "--output", str(target))
    assert result.exit_code == 0, result.output
    table = pq.read_table(target)
    assert table.column("id").to_pylist() == ["4", "2", "5", "1", "3", "6"]
    assert table.column("topics").to_pylist()[0] == ["Acme"]


def test_parquet_without_pyarrow_names_the_extra_to_install(config_path, tmp_path, monkeypatch):
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # what an install without the extra sees
    target = tmp_path / "out.parquet"
    result = run(config_path, "mentions", "--output", str(target))
    assert result.exit_code == 2
    assert "pip install 'listener[parquet]'" in result.output
    assert not target.exists()


@pytest.mark.parametrize("args", [
    ["--sort", "loudest"], ["--kind", "friend"], ["--format", "xml"], ["--format", "parquet"],
    ["--output", "x.unknown"], ["--page", "2", "--offset", "3"],
])
def test_bad_options_are_usage_errors(config_path, args):
    result = run(config_path, "mentions", *args)
    assert result.exit_code == 2, result.output


def test_authors_by_reach_and_mentions(config_path):
    result = run(config_path, "authors", "--format", "json")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["author"] for r in records][:3] == ["dave", "bob", "alice"]
    alice = next(r for r in records if r["author"] == "alice")
    assert alice["mentions"] == 2 and alice["followers"] == 100 and alice["negative"] == 1
    result = run(config_path, "authors", "--format", "json", "--sort", "mentions", "--topic", "Acme")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["author"] in {"alice", "carol", "dave"}
    assert {r["author"] for r in records} == {"alice", "carol", "dave"}


def test_authors_table_and_csv(config_path):
    assert run(config_path, "authors").exit_code == 0
    result = run(config_path, "authors", "--format", "csv", "--sort", "negative", "--limit", "1")
    assert next(csv.DictReader(io.StringIO(result.stdout)))["author"] in {"alice", "dave"}
