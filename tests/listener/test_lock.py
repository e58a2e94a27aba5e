"""The run lock: a second run of a command on the same database is refused, clearly."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from listener.cli import app
from listener.lock import Locked, collect_locks, recorded, run_lock
from storage import db
from storage.schema import runs


def test_second_holder_is_refused_with_who_holds_it(database_url):
    with run_lock(database_url, "collect") as held:
        assert held.alive()
        with pytest.raises(Locked) as refused, run_lock(database_url, "collect"):
            pass
        message = str(refused.value)
        assert message.startswith("another listener collect is running since ")
        assert f"pid {os.getpid()}" in message
        with run_lock(database_url, "digest"):  # another command is not blocked
            pass
    with run_lock(database_url, "collect"):  # released on exit
        pass


def test_wait_retries_every_poll_then_gives_up_after_the_timeout(database_url):
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:  # time passes without waiting
        slept.append(seconds)
        now[0] += seconds

    with run_lock(database_url, "collect"), pytest.raises(Locked), \
            run_lock(database_url, "collect", wait=30, poll=4, sleep=sleep, clock=lambda: now[0]):
        pass
    assert slept == [4] * 7 + [2]


def test_lock_file_sits_next_to_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'listener.db'}"
    with run_lock(url, "collect"):
        assert (tmp_path / "data" / "listener.db.collect.lock").exists()
        assert (tmp_path / "data" / "listener.db.collect.lock.info").exists()


def test_second_collect_exits_with_its_own_code(tmp_path, write_config):
    config = write_config()
    runner = CliRunner()
    with collect_locks(f"sqlite:///{tmp_path / 'listener.db'}", ["file"]):  # the source it would collect
        result = runner.invoke(app, ["--config", str(config), "collect"])
    assert result.exit_code == 3, result.output
    assert "another listener collect.file is running since" in result.stderr
    assert f"(pid {os.getpid()}" in result.stderr
    result = runner.invoke(app, ["--config", str(config), "collect"])
    assert result.exit_code == 0, result.output


def test_collect_records_its_run_and_the_scoring_run(tmp_path, write_config):
    config = write_config()
    assert CliRunner().invoke(app, ["--config", str(config), "collect"]).exit_code == 0
    engine = db.create(f"sqlite:///{tmp_path / 'listener.db'}")
    with engine.connect() as connection:
        rows = connection.execute(select(runs.c.command, runs.c.status, runs.c.finished_at)).all()
    assert {(r.command, r.status) for r in rows} == {("collect", "ok"), ("score", "ok")}
    assert all(r.finished_at is not None for r in rows)


def test_recorded_run_keeps_counts_and_errors(sqlite_engine):
    with recorded(sqlite_engine, "alerts") as counts:
        counts["sent"] = 2
    with pytest.raises(RuntimeError), recorded(sqlite_engine, "digest"):
        raise RuntimeError("smtp down")
    with sqlite_engine.connect() as connection:
        rows = connection.execute(select(runs).order_by(runs.c.id)).all()
    assert (rows[0].command, rows[0].status, rows[0].counts) == ("alerts", "ok", {"sent": 2})
    assert (rows[1].command, rows[1].status, rows[1].error) == ("digest", "failed", "RuntimeError: smtp down")
