"""`listener serve`: schedule definitions, restarts that neither lose nor double a run,
a hot standby that takes over, and a clean exit on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from listener import service
from listener.config import load
from listener.lock import run_lock

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # a Friday


def service_config(write_config, *, interval: int = 60) -> Path:
    return write_config(f"""interval_minutes = {interval}
[serve]
jitter_seconds = 0
alerts_interval_minutes = 15
[alerts]
enabled = true
webhook_url = "https://hooks.example/secret"
[[digests]]
name = "weekly"
recipients = ["boss@example.com"]
topics = ["Acme"]
day = "mon"
time = "08:30"
timezone = "Europe/Paris"
""")


def test_job_definitions(tmp_path, write_config):
    path = service_config(write_config)
    specs = {spec.id: spec for spec in service.job_specs(load(path), str(path))}
    assert set(specs) == {"collect:file", "alerts", "digest:weekly"}
    assert specs["collect:file"].trigger.interval == timedelta(minutes=60)
    assert specs["collect:file"].misfire_grace_time is None  # however late: run once on start
    assert specs["alerts"].trigger.interval == timedelta(minutes=15)
    digest = specs["digest:weekly"].trigger
    # Monday 08:30 Paris time is 07:30 UTC in winter
    assert digest.get_next_fire_time(None, T0) == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert specs["digest:weekly"].misfire_grace_time == service.DIGEST_GRACE_SECONDS


def start(config, path):
    scheduler = service.build_scheduler(config, str(path))
    scheduler.start(paused=True)
    jobs = {job.id: job for job in service.sync_jobs(scheduler, config, str(path))}
    return scheduler, jobs


def run_due_jobs(scheduler, now: datetime) -> list[str]:
    """Resume the scheduler, wait for every job due at ``now`` to finish, shut down; the ids that ran."""
    due = {job.id for job in scheduler.get_jobs() if job.next_run_time <= now}
    ran: list[str] = []
    finished = threading.Event()

    def on_event(event) -> None:
        ran.append(event.job_id)
        if set(ran) >= due:
            finished.set()

    scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    if not due:
        finished.set()
    scheduler.resume()
    assert finished.wait(60), f"due jobs {due} did not finish; ran {ran}"
    scheduler.shutdown(wait=True)
    return ran


def collect_runs(path: Path) -> int:
    with sqlite3.connect(path.parent / "listener.db") as connection:
        return connection.execute("SELECT count(*) FROM runs WHERE command = 'collect'").fetchone()[0]


def test_job_due_while_stopped_runs_once_on_start_not_twice(tmp_path, write_config):
    path = service_config(write_config)
    config = load(path)
    with time_machine.travel(T0, tick=False):
        scheduler, jobs = start(config, path)
        assert jobs["collect:file"].next_run_time == T0 + timedelta(hours=1)
        scheduler.shutdown()

    # stopped for three hours: three runs fell due; one runs at start
    later = T0 + timedelta(hours=3, minutes=10)
    with time_machine.travel(later, tick=False):
        scheduler, jobs = start(config, path)
        assert jobs["collect:file"].next_run_time == T0 + timedelta(hours=1)  # kept, not reset
        assert run_due_jobs(scheduler, later).count("collect:file") == 1
    assert collect_runs(path) == 1

    # restarted again at the same moment: nothing is due, nothing runs twice
    with time_machine.travel(later, tick=False):
        scheduler, jobs = start(config, path)
        assert all(job.next_run_time > later for job in jobs.values())
        assert run_due_jobs(scheduler, later) == []
    assert collect_runs(path) == 1


def test_changed_interval_reschedules_and_removed_jobs_go(tmp_path, write_config):
    path = service_config(write_config)
    with time_machine.travel(T0, tick=False):
        scheduler, jobs = start(load(path), path)
        scheduler.shutdown()
    path = service_config(write_config, interval=30)
    text = path.read_text(encoding="utf-8").replace("enabled = true", "enabled = false")
    path.write_text(text, encoding="utf-8")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        scheduler, jobs = start(load(path), path)
        scheduler.shutdown()
    assert set(jobs) == {"collect:file", "digest:weekly"}
    assert jobs["collect:file"].next_run_time == T0 + timedelta(minutes=35)


def test_standby_takes_over_when_the_leader_goes(tmp_path, monkeypatch, write_config):
    path = service_config(write_config)
    led = threading.Event()

    def lead(config, config_path, stop, held, leader_check):
        led.set()
        stop.wait()

    monkeypatch.setattr(service, "_lead", lead)
    standing_by = threading.Event()
    handler = logging.Handler()
    handler.emit = lambda record: record.getMessage().startswith("serve: standby") and standing_by.set()
    service.log.addHandler(handler)
    level = service.log.level
    service.log.setLevel(logging.INFO)
    stop = threading.Event()
    worker = threading.Thread(target=service.serve, args=(path,), kwargs={"stop": stop, "standby_retry": 0.05})
    try:
        with run_lock(load(path), "serve"):  # another instance leads
            worker.start()
            assert standing_by.wait(30)  # it tried, found the lock held, and waits
            assert not led.is_set()
        assert led.wait(30)
    finally:
        stop.set()
        worker.join(30)
        service.log.removeHandler(handler)
        service.log.setLevel(level)
    assert not worker.is_alive()


@pytest.mark.real_sleep
def test_sigterm_finishes_and_exits_cleanly(tmp_path, write_config):
    path = service_config(write_config)
    process = subprocess.Popen(
        [sys.executable, "-c", "from listener.cli import main; main()", "--config", str(path), "serve"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    scheduled = threading.Event()

    def read() -> None:
        for line in iter(process.stderr.readline, ""):
            lines.append(line)
            if "next run" in line:
                scheduled.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert scheduled.wait(60), "".join(lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0  # a bound, not a timing: it finishes its step first
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(5)
    process.stderr.close()
    output = "".join(lines)
    assert "received SIGTERM" in output
    assert "serve: stopped" in output
    assert "hooks.example/secret" not in output or "***" in output
