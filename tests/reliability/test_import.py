"""Imports never abort on one odd record, and say what they did with it (issue 13, items 1, 2, 12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from connectors.base import Mention
from listener.cli import app
from listener.config import validate
from listener.importer import BATCH, import_file
from listener.ingest import Ingestor
from storage.schema import matches, mentions

CONFIG = validate({"topics": [{"name": "Acme", "kind": "brand", "query": "acme"}]})
NOW = datetime(2026, 11, 20, tzinfo=UTC)


def record(id: str, text: str = "acme coffee", **extra) -> dict:
    return {"source": "x", "id": id, "text": text, "created_at": "2026-11-17T10:00:00Z", **extra}


def jsonl(path: Path, records: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
                    encoding="utf-8")
    return path


def stored(engine, column=mentions.c.text) -> list:
    with engine.connect() as connection:
        return list(connection.scalars(select(column).order_by(mentions.c.external_id)))


def test_nul_characters_are_removed_and_every_record_is_stored(engine, tmp_path):
    path = jsonl(tmp_path / "m.jsonl", [record("1"), record("2", "acme\u0000 coffee", author="a\u0000b"),
                                        record("3")])
    report = import_file(engine, CONFIG, path, now=NOW)
    assert (report.records, report.new, report.fitted, report.bad) == (3, 3, 1, [])
    assert stored(engine) == ["acme coffee", "acme coffee", "acme coffee"]
    assert stored(engine, mentions.c.author) == [None, "ab", None]


def test_a_source_delivering_nul_in_text_or_raw_payload_is_stored(engine):
    """Every connector stores through the Ingestor: a NUL anywhere cannot stall a run."""
    batch = [Mention(source="rss", external_id="e1", text="acme\u0000", title="t\u0000",
                     created_at=NOW, raw={"k\u0000": ["v\u0000"]}, likes=10**30)]
    result = Ingestor(engine, CONFIG.topics).store(batch)
    assert (result.new, result.fitted) == (1, 1)
    with engine.connect() as connection:
        row = connection.execute(select(mentions.c.text, mentions.c.title, mentions.c.raw,
                                        mentions.c.likes)).one()
    assert tuple(row) == ("acme", "t", {"k": ["v"]}, None)


def test_out_of_range_numbers_skip_only_their_record_and_say_why(engine, tmp_path):
    path = jsonl(tmp_path / "m.jsonl", [
        record("1"),
        '{"source": "x", "id": "2", "text": "acme", "created_at": "2026-11-17", "likes": 1e30}',
        '{"source": "x", "id": "3", "text": "acme", "created_at": "2026-11-17", "likes": 1e400}',
        '{"source": "x", "id": "4", "text": "acme", "created_at": "2026-11-17", "views": NaN}',
        record("5", author_followers=2**63),
        record("6" * 300),
        record("7", likes=2**63 - 1),
    ])
    report = import_file(engine, CONFIG, path, now=NOW)
    assert [(bad.line, bad.message.split()[0]) for bad in report.bad] == [
        (2, "likes"), (3, "likes"), (4, "views"), (5, "author_followers"), (6, "id")]
    assert "out of range" in report.bad[0].message
    assert stored(engine, mentions.c.external_id) == ["1", "7"]


def test_impossible_times_and_lone_surrogates_skip_only_their_record_and_say_why(engine, tmp_path):
    path = jsonl(tmp_path / "m.jsonl", [
        record("1"),
        '{"source": "x", "id": "2", "text": "acme", "created_at": NaN}',
        '{"source": "x", "id": "3", "text": "acme", "created_at": 1e300}',
        record("4", created_at="\u00b9"),  # a digit to isdigit(), not to float()
        '{"source": "x", "id": "5", "text": "acme \\ud800 coffee", "created_at": "2026-11-17"}',
        record("6"),
    ])
    report = import_file(engine, CONFIG, path, now=NOW)
    assert [bad.line for bad in report.bad] == [2, 3, 4, 5]
    assert "not a time in range" in report.bad[0].message and "not a time" in report.bad[2].message
    assert "lone surrogate" in report.bad[3].message
    assert stored(engine, mentions.c.external_id) == ["1", "6"]


def test_a_csv_with_a_bom_and_semicolons_is_read_by_sniffing_its_delimiter(engine, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffsource;id;text;created_at\nx;1;acme, coffee;2026-11-17\nx;2;acme;2026-11-18\n"
                     .encode())
    report = import_file(engine, CONFIG, path, now=NOW)
    assert (report.records, report.new, report.bad) == (2, 2, [])
    assert stored(engine) == ["acme, coffee", "acme"]


def test_a_json_array_file_is_refused_with_how_to_convert_it(config_file, tmp_path):
    config = config_file()
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps([record("1"), record("2")], indent=2), encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "import", str(path)])
    assert result.exit_code == 2
    assert "holds a JSON array" in result.stderr and "jq -c '.[]'" in result.stderr


def test_an_id_repeated_across_batches_keeps_its_last_copy_and_is_counted_once(engine, tmp_path):
    copies = [record("1", "acme", likes=n) for n in range(BATCH + 500)]
    copies[-1] = record("1", "nothing relevant", likes=7)  # the last copy matches no topic
    path = jsonl(tmp_path / "m.jsonl", [*copies, record("2", "also irrelevant")])
    report = import_file(engine, CONFIG, path, now=NOW)
    assert (report.records, report.new, report.repeated, report.already_stored) == (BATCH + 501, 2, BATCH + 499, 0)
    assert report.unmatched == 2
    assert stored(engine) == ["nothing relevant", "also irrelevant"]
    assert stored(engine, mentions.c.likes) == [7, None]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(matches)).scalar_one() == 0
    again = import_file(engine, CONFIG, path)  # a second import of the same file stores nothing new
    assert again.new == 0
    assert stored(engine) == ["nothing relevant", "also irrelevant"]
    assert stored(engine, mentions.c.likes) == [7, None]


def test_implausible_years_are_stored_warned_about_and_counted(config_file, tmp_path):
    config = config_file()
    path = jsonl(tmp_path / "m.jsonl", [
        record("1"), {**record("2"), "created_at": "1970-01-01T00:00:00Z"},
        {**record("3"), "created_at": f"{datetime.now(UTC).year + 2}-01-01"}, {**record("4"), "created_at": 0},
    ])
    result = CliRunner().invoke(app, ["--config", str(config), "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 record(s) dated before 1990 or after next year (lines 2, 3, 4)" in result.stderr
    assert "4 records read: 4 new" in result.stdout
