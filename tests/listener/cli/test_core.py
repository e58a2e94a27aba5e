"""The core commands through the real CLI: exit codes, messages, formats."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from listener.cli import app

RECORDS = [
    {"source": "x", "id": "1", "text": "I love Acme Coffee, best espresso", "created_at": "2026-11-17T10:00:00Z",
     "author": "ann", "author_followers": 120, "lang": "en", "url": "https://x.com/ann/status/1"},
    {"source": "x", "id": "2", "text": "@acmecoffee my order arrived cold and late, terrible",
     "created_at": "2026-11-18T10:00:00Z", "author": "bob", "lang": "en"},
    {"source": "reddit", "id": "t1_x", "text": "Rival Roasters opened a shop on Main Street", "created_at": "2026-11-19T10:00:00Z"},
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "listener.toml").write_text(f'''
[storage]
url = "sqlite:///{tmp_path / 'listener.db'}"

[[topics]]
name = "Acme"
kind = "brand"
query = '"acme coffee" OR @acmecoffee'

[[topics]]
name = "Rival"
kind = "competitor"
query = '"rival roasters"'
''', encoding="utf-8")
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return tmp_path


def run(project: Path, *args: str):
    return CliRunner().invoke(app, ["--config", str(project / "listener.toml"), *args])


def test_import_twice_leaves_the_same_count_and_says_so(project):
    first = run(project, "import", str(project / "m.jsonl"))
    second = run(project, "import", str(project / "m.jsonl"))
    assert first.exit_code == 0, first.output
    assert "3 new" in first.output and "0 new, 3 already stored" in second.output
    listed = run(project, "mentions", "--format", "json")
    assert len(listed.stdout.splitlines()) == 3


def test_import_with_bad_lines_stores_the_rest_and_exits_1(project):
    path = project / "bad.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n{oops\n", encoding="utf-8")
    result = run(project, "import", str(path))
    assert result.exit_code == 1
    assert "line 2: not valid JSON" in result.stderr
    assert "1 new" in result.stdout


def test_mentions_json_lines_have_the_documented_fields(project):
    run(project, "import", str(project / "m.jsonl"))
    result = run(project, "mentions", "--format", "json", "--topic", "acme")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["2", "1"]  # newest first
    assert set(records[0]) >= {"source", "id", "url", "author", "created_at", "text", "lang", "topics", "sentiment"}
    assert records[1]["topics"] == ["Acme"] and records[1]["created_at"] == "2026-11-17T10:00:00Z"
    assert records[0]["sentiment"]["label"] == "negative" and records[1]["sentiment"]["label"] == "positive"


def test_mentions_csv_has_the_same_columns(project):
    run(project, "import", str(project / "m.jsonl"))
    result = run(project, "mentions", "--format", "csv", "--source", "reddit")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1 and rows[0]["topics"] == "Rival"
    assert {"source", "id", "url", "author", "created_at", "text", "lang", "topics", "sentiment_label"} <= set(rows[0])


def test_mentions_filters_by_date_sentiment_and_search(project):
    run(project, "import", str(project / "m.jsonl"))

    def ids(*args):
        return [json.loads(line)["id"] for line in run(project, "mentions", "--format", "json", *args).stdout.splitlines()]

    assert ids("--from", "2026-11-18", "--to", "2026-11-19") == ["2"]
    assert ids("--sentiment", "positive") == ["1"]
    assert ids("--search", "espresso") == ["1"]
    assert ids("--limit", "1") == ["t1_x"]


def test_unknown_topic_is_a_usage_error_naming_the_known_ones(project):
    result = run(project, "mentions", "--topic", "Nope")
    assert result.exit_code == 2
    assert "unknown topic 'Nope'" in result.stderr and "Acme" in result.stderr


def test_a_bad_config_lists_its_problems_and_exits_2(tmp_path):
    (tmp_path / "listener.toml").write_text('[[topics]]\nname = "A"\nkind = "nope"\nquery = "(a"\n')
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "listener.toml"), "mentions"])
    assert result.exit_code == 2
    assert "topics.0.kind" in result.stderr and "topics.0.query" in result.stderr


def test_missing_config_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LISTENER_CONFIG", raising=False)
    result = CliRunner().invoke(app, ["mentions"])
    assert result.exit_code == 2 and "$LISTENER_CONFIG" in result.stderr and "listener init" in result.stderr


def test_init_writes_a_config_that_loads_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    assert (tmp_path / "listener.toml").read_text().startswith("# listener configuration")
    assert CliRunner().invoke(app, ["init"]).exit_code == 2
    from listener.config import load

    written = load(tmp_path / "listener.toml", environ={"SMTP_PASSWORD": "x"})
    assert len(written.themes) == 6 and written.digests[0].answer_limit == 10  # starter themes


def test_db_upgrade_reports_the_revision(project):
    result = run(project, "db", "upgrade")
    assert result.exit_code == 0 and "revision" in result.stdout
