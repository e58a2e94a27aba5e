"""Nothing lost, nothing twice: a collect killed mid-run, or hit by faults, ends with the clean set.

``listener collect`` runs the real X and Reddit connectors against the sandbox.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listener import config as config_module
from listener import pipeline
from listener.sandbox import DEMO_TOPICS, Faults, Sandbox, generate_world
from storage import db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, sys
from listener import config, pipeline
from storage import db
raw = json.loads(sys.argv[1])
engine = db.create(raw["storage"]["url"])
report = pipeline.collect(engine, config.validate(raw))
sys.exit(1 if report.failed else 0)
"""


@pytest.fixture(scope="module")
def world():
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    return generate_world(start=end - timedelta(days=5), end=end, seed=21, per_day=60)


def raw_config(sandbox: Sandbox, url: str, **extra) -> dict:
    connectors = {name: {**sandbox.connector_settings(name), "page_size": 10, **extra}
                  for name in ("x", "reddit")}
    connectors["reddit"]["subreddits"] = ["coffee", "espresso"]
    return {
        "storage": {"url": url},
        "topics": [{"name": t.name, "kind": t.kind, "query": t.query} for t in DEMO_TOPICS],
        "connectors": connectors,
    }


def stored(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as connection:
        return set(connection.execute("SELECT source, external_id FROM mentions"))


def count(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM mentions").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def run_collect(raw: dict) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(raw)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
@pytest.mark.real_sleep
def test_rerun_after_a_kill_stores_exactly_what_a_clean_run_stores(world, tmp_path):
    with Sandbox(world) as sandbox:
        clean_db = tmp_path / "clean.db"
        assert run_collect(raw_config(sandbox, f"sqlite:///{clean_db}")).wait(60) == 0
    expected = stored(clean_db)
    assert len(expected) > 100

    with Sandbox(world, Faults(latency=0.03)) as slow:
        crash_db = tmp_path / "crash.db"
        raw = raw_config(slow, f"sqlite:///{crash_db}")
        process = run_collect(raw)
        deadline = time.monotonic() + 60
        while count(crash_db) < 20 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        partial = stored(crash_db)
        assert 0 < len(partial) < len(expected), "the kill should land mid-run"
        assert partial <= expected
        assert run_collect(raw).wait(60) == 0
    assert stored(crash_db) == expected


@pytest.mark.slow
@pytest.mark.real_sleep
def test_collect_with_faults_stores_exactly_what_an_error_free_run_stores(world, tmp_path):
    with Sandbox(world) as sandbox:
        clean = db.create(f"sqlite:///{tmp_path / 'clean.db'}")
        config = config_module.validate(raw_config(sandbox, str(clean.url)))
        assert not pipeline.collect(clean, config).failed
    faults = Faults.parse("server_error:rate=0.15,rate_limit:rate=0.1:reset=0,repeat:rate=0.2,"
                          "shuffle:rate=0.3,truncated:rate=0.1,malformed:rate=0.05", seed=9)
    with Sandbox(world, faults) as faulty:
        engine = db.create(f"sqlite:///{tmp_path / 'faulty.db'}")
        config = config_module.validate(raw_config(faulty, str(engine.url), retries=5))
        runs = 0
        for runs in range(1, 30):  # noqa: B007 - read after the loop
            report = pipeline.collect(engine, config)
            assert not report.failed, [r.error for r in report.connectors]
            if all(r.status == "ok" for r in report.connectors):
                break
    assert runs > 1  # the faults did interrupt
    assert stored(tmp_path / "faulty.db") == stored(tmp_path / "clean.db")
