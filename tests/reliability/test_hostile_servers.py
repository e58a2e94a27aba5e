"""No server can make a source run unbounded: bytes, request time and run time are capped (item 6).

Every connector (but the file one, which reads no network) meets a loopback
server that sends an endless body, a gzip bomb (1 GB inflated) or one byte at
a time; each is cut with an error naming the source and the setting, and the
other sources of the run go on. Small limits keep the tests fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from connectors import REGISTRY
from listener.config import validate
from listener.pipeline import collect
from listener.sandbox import load_platforms
from tests.connectors.loopback import Answer, serve
from tests.reliability.hostile import hostile

PLATFORMS = load_platforms()
NETWORKED = sorted(name for name in REGISTRY if name in PLATFORMS)
LIMITS = {"max_response_bytes": 1_000_000, "request_seconds": 1.0, "run_seconds": 30.0}
TOPIC = {"name": "Acme", "kind": "brand", "query": "acme"}
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>1</guid><title>acme news</title><link>http://example.com/1</link>
<pubDate>Mon, 16 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"""


def settings(name: str, url: str, **extra) -> dict:
    return {**PLATFORMS[name].connector_settings(url), **LIMITS, "max_requests": 5, "retries": 0, **extra}


def run(engine, connectors: dict) -> dict:
    config = validate({"topics": [TOPIC], "connectors": {
        name: {k: v for k, v in section.items() if k in REGISTRY[name].Settings.model_fields}
        for name, section in connectors.items()}})
    return {item.name: item for item in collect(engine, config).connectors}


@pytest.mark.parametrize("name", NETWORKED)
def test_an_endless_body_is_cut_at_max_response_bytes(sqlite_engine, name):
    with hostile("endless") as url:
        report = run(sqlite_engine, {name: settings(name, url)})[name]
    assert report.status == "failed"
    assert f"{name}: the answer from" in report.error
    assert "larger than 1,000,000 bytes as received" in report.error
    assert f"connectors.{name}.max_response_bytes" in report.error


@pytest.mark.parametrize("name", NETWORKED)
def test_a_gzip_bomb_is_cut_once_decompressed_past_the_limit(sqlite_engine, name):
    with hostile("bomb") as url:
        report = run(sqlite_engine, {name: settings(name, url, max_response_bytes=2_000_000)})[name]
    assert report.status == "failed"
    assert "larger than 2,000,000 bytes once decompressed" in report.error


@pytest.mark.slow  # paced in real seconds
@pytest.mark.real_sleep  # a server paced in real time is the point
@pytest.mark.parametrize("name", NETWORKED)
def test_a_one_byte_drip_is_cut_at_request_seconds(sqlite_engine, name):
    with hostile("drip") as url:
        report = run(sqlite_engine, {name: settings(name, url)})[name]
    assert report.status == "partial"
    assert f"{name}: the request took longer than 1 s" in report.error
    assert f"connectors.{name}.request_seconds" in report.error


@pytest.mark.slow  # paced in real seconds
@pytest.mark.real_sleep  # a server paced in real time is the point
def test_headers_dripped_one_byte_at_a_time_are_cut_too(sqlite_engine):
    with hostile("drip_headers") as url:
        report = run(sqlite_engine, {"hackernews": settings("hackernews", url)})["hackernews"]
    assert report.status == "partial" and "connectors.hackernews.request_seconds" in report.error


@pytest.mark.slow  # paced in real seconds
@pytest.mark.real_sleep  # a server paced in real time is the point
def test_the_run_deadline_stops_a_source_that_is_slow_on_every_page(sqlite_engine):
    def slow_feed(method, path, headers):
        time.sleep(0.3)
        return Answer(body=FEED, headers={"Content-Type": "application/rss+xml"})

    with serve(slow_feed) as (url, seen):
        feeds = [f"{url}/feed/{i}" for i in range(20)]
        report = run(sqlite_engine, {"rss": {"feeds": feeds, "run_seconds": 1.0, "max_requests": 100}})["rss"]
    assert report.status == "partial"
    assert "rss: the run took longer than 1 s" in report.error
    assert "connectors.rss.run_seconds" in report.error
    assert 1 <= len(seen) < 20


def test_a_hostile_source_does_not_stop_the_others(sqlite_engine):
    with hostile("bomb") as bad, serve(lambda *_: Answer(body=FEED)) as (good, _):
        reports = run(sqlite_engine, {"hackernews": settings("hackernews", bad),
                                      "rss": {"feeds": [f"{good}/feed"]}})
    assert reports["hackernews"].status == "failed"
    assert (reports["rss"].status, reports["rss"].new) == ("ok", 1)


@pytest.mark.slow
@pytest.mark.real_sleep  # waits for the child process
@pytest.mark.parametrize("mode", ["endless", "bomb", "drip"])
def test_memory_for_a_run_against_a_hostile_server_stays_under_300_mb(tmp_path, mode):
    """Peak RSS of a whole collect process (interpreter and libraries included), from /proc (Linux)."""
    script = textwrap.dedent(f"""
        import json, re, sys
        from listener.config import validate
        from listener.pipeline import collect
        from storage import db
        from tests.reliability.hostile import hostile
        with hostile({mode!r}) as url:
            config = validate({{"topics": [{TOPIC!r}], "connectors": {{"rss": {{
                "feeds": [url + "/feed"], "max_response_bytes": 20_000_000, "request_seconds": 2.0}}}}}})
            report = collect(db.create("sqlite:///{tmp_path / 'm.db'}"), config).connectors[0]
        # VmHWM, not ru_maxrss: ru_maxrss keeps the forking pytest's size across exec
        status = open("/proc/self/status").read()
        peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
        print(json.dumps({{"status": report.status, "error": report.error, "peak_mb": peak_kb / 1024}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] in ("failed", "partial") and result["error"].startswith("rss: ")
    assert result["peak_mb"] < 300, result
