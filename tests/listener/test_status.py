"""`listener status`: per-source health, silence warnings, database facts, next runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from typer.testing import CliRunner

from connectors.base import Mention
from listener.cli import app
from listener.config import load
from listener.ingest import Ingestor
from listener.status import gather
from storage import db
from storage.schema import connector_runs, runs

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def setup(write_config, *, today: int, usual: int) -> tuple[Path, object]:
    path = write_config()
    config = load(path)
    engine = db.create(config.storage.url)
    batch = []
    for day in range(15):
        for n in range(today if day == 0 else usual):
            batch.append(Mention(source="file", external_id=f"{day}-{n}", text="acme news",
                                 created_at=NOW - timedelta(days=day, minutes=n + 1)))
    Ingestor(engine, config.topics).store(batch)
    with engine.begin() as connection:
        run_id = connection.execute(insert(runs).values(command="collect", started_at=NOW.replace(tzinfo=None),
                                                        status="failed")).inserted_primary_key[0]
        connection.execute(insert(connector_runs).values(
            run_id=run_id, connector="file", started_at=(NOW - timedelta(hours=30)).replace(tzinfo=None),
            finished_at=(NOW - timedelta(hours=30)).replace(tzinfo=None), status="ok"))
        connection.execute(insert(connector_runs).values(
            run_id=run_id, connector="file", started_at=(NOW - timedelta(hours=1)).replace(tzinfo=None),
            finished_at=(NOW - timedelta(hours=1)).replace(tzinfo=None), status="failed",
            error="401 Unauthorized: check the token"))
    return path, engine


def test_silent_source_is_flagged_with_its_baseline(write_config):
    path, engine = setup(write_config, today=1, usual=20)
    with engine.connect() as connection:
        report = gather(connection, load(path), now=NOW)
    health = report.connectors[0]
    assert (health.name, health.mentions_24h, health.mentions_7d, health.median_daily_14d) == ("file", 1, 121, 20)
    assert health.last_success == NOW - timedelta(hours=30)
    assert health.last_error == "401 Unauthorized: check the token"
    assert any(w.startswith("silent: 1 mentions in the last 24 h vs a median of 20") for w in health.warnings)
    assert any(w.startswith("last run failed") for w in health.warnings)
    assert report.database["rows"]["mentions"] == 15 * 20 + 1 - 20
    assert report.database["size_bytes"] > 0
    assert report.last_runs["collect"]["status"] == "failed"


def test_usual_volume_is_healthy(write_config):
    path, engine = setup(write_config, today=18, usual=20)
    with engine.connect() as connection:
        health = gather(connection, load(path), now=NOW).connectors[0]
    assert not any(w.startswith("silent") for w in health.warnings)


def test_status_json_and_next_runs_from_the_job_table(tmp_path, monkeypatch, write_config):
    from listener import service

    path, engine = setup(write_config, today=5, usual=5)
    scheduler = service.build_scheduler(load(path), str(path), engine=engine)
    scheduler.start(paused=True)
    service.sync_jobs(scheduler, load(path), str(path))
    scheduler.shutdown()
    result = CliRunner().invoke(app, ["--config", str(path), "status", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["connectors"][0]["name"] == "file"
    assert data["healthy"] is False
    assert [job["job"] for job in data["next_runs"]] == ["collect:file"]
    assert data["database"]["rows"]["mentions"] > 0
    table = CliRunner().invoke(app, ["--config", str(path), "status"])
    assert table.exit_code == 0, table.output
    assert "warning: file: last run failed" in table.stderr
