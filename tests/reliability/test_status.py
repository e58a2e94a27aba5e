"""`status` tells the truth: dead runs are "died", failed deliveries are unhealthy, --check exits 1 (item 10)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from typer.testing import CliRunner

from listener.cli import app
from listener.config import load
from listener.ingest import Ingestor
from storage import db, runs

DIGEST = """
[[digests]]
name = "weekly"
recipients = ["boss@example.com", "cmo@example.com"]
topics = ["Acme"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""


def status(config, *args):
    return CliRunner().invoke(app, ["--config", str(config), "status", "--format", "json", *args])


def test_a_clean_install_is_healthy_and_check_exits_0(config_file):
    result = status(config_file(), "--check")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["healthy"] is True


def test_a_run_whose_process_was_killed_is_marked_died_and_unhealthy(config_file):
    config = config_file()
    url = load(config).storage.url
    db.create(url).dispose()
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from storage import db, runs
        engine = db.create({url!r})
        with engine.begin() as connection:
            runs.start_run(connection, "collect")
        print("started", flush=True)
        time.sleep(600)
    """)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    assert child.stdout.readline().strip() == "started"
    engine = db.create(url)
    with engine.begin() as connection:  # a live run of this very process must stay "running"
        runs.start_run(connection, "import")
    child.send_signal(signal.SIGKILL)  # what the OOM killer does
    child.wait()
    child.stdout.close()
    result = status(config, "--check")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["last_runs"]["collect"]["status"] == "died"
    assert report["last_runs"]["import"]["status"] == "running"
    assert report["healthy"] is False
    assert any(p.startswith("last collect run died: the process (pid") for p in report["problems"])
    engine.dispose()


def test_failed_digest_deliveries_make_status_unhealthy(config_file, start_smtp_server):
    sink, port = start_smtp_server()
    sink.refuse = "554 5.7.1 rejected"
    config = config_file(extra=DIGEST.format(port=port))
    loaded = load(config)
    engine = db.create(loaded.storage.url)
    Ingestor(engine, loaded.topics)  # the topics exist, as after any collect
    engine.dispose()
    sent = CliRunner().invoke(app, ["--config", str(config), "digest", "--week", "2026-W47", "--send"])
    assert sent.exit_code == 1
    result = status(config, "--check")
    report = json.loads(result.stdout)
    assert (result.exit_code, report["healthy"]) == (1, False)
    assert [(d["recipient"], d["status"]) for d in report["undelivered"]] == [
        ("boss@example.com", "failed"), ("cmo@example.com", "failed")]
    assert status(config).exit_code == 0  # without --check, status only reports
