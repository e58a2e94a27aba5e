"""Alerts: spikes and high-reach negative mentions, once per channel, with cooldown and cap."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from sqlalchemy import insert, select

from listener.alerts import run_alerts
from listener.config import validate
from storage import db
from storage.schema import alerts_sent, matches, mentions, scores
from tests.builders import Data

NOW = datetime(2026, 11, 19, 20, 0)


def make_config(tmp_path, port, webhook=None, **alerts):
    return validate({
        "storage": {"url": f"sqlite:///{tmp_path / 't.db'}"},
        "topics": [{"name": "Acme", "kind": "brand", "query": "acme"}],
        "digests": [{"name": "d", "recipients": ["boss@example.com"], "topics": ["Acme"]}],
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                 "sender": "alerts@example.com"},
        "alerts": {"enabled": True, "recipients": ["oncall@example.com"],
                   "negative_min_followers": 10_000, **({"webhook_url": webhook} if webhook else {}),
                   **alerts},
    })


@pytest.fixture
def engine(tmp_path):
    engine = db.create(f"sqlite:///{tmp_path / 't.db'}")
    data = Data(engine)
    data.topic("Acme", "acme")

    def add(when, text, label="neutral", compound=0.0, author="someone", followers=100):
        data.mention("Acme", when, text, label=label, compound=compound, author=author, followers=followers)

    for day in range(1, 15):  # quiet history: 2 a day
        for i in range(2):
            add(NOW - timedelta(days=day, hours=2 + i), "acme fine")
    for i in range(15):  # today: a spike
        add(NOW - timedelta(hours=5, minutes=i), f"acme down again {i}", "negative", -0.4)
    add(NOW - timedelta(hours=3), "acme <b>ruined</b> my morning", "negative", -0.9,
        author="bigcritic", followers=90_000)
    add(NOW - timedelta(hours=2), "acme meh", "negative", -0.2, author="small", followers=50)
    yield engine
    engine.dispose()


def sent_rows(engine):
    with engine.connect() as c:
        return sorted((r.kind, r.key, r.channel) for r in c.execute(select(alerts_sent)))


def test_spike_and_high_reach_negative_are_sent_once(engine, tmp_path, smtp_server):
    sink, port = smtp_server
    config = make_config(tmp_path, port)
    report = run_alerts(engine, config, now=NOW)
    assert not report.errors
    subjects = sorted(m["Subject"] for m in sink.messages())
    assert subjects == ["[listener] Negative mention of Acme by bigcritic (90,000 followers)",
                        "[listener] Spike: Acme, 17 mentions on Nov 19, 2026"]
    spike = next(m for m in sink.messages() if "Spike" in m["Subject"])
    body = spike.get_content()
    assert "usual level 2.0, threshold 5.0" in body and "acme down again" in body
    assert sent_rows(engine) == [("negative", "x:44", "email"), ("spike", "2026-11-19", "email")]
    again = run_alerts(engine, config, now=NOW + timedelta(minutes=30))
    assert not again.sent and len(sink.envelopes) == 2


def test_cooldown_holds_a_second_alert_about_the_same_author(engine, tmp_path, smtp_server):
    sink, port = smtp_server
    config = make_config(tmp_path, port)
    run_alerts(engine, config, now=NOW)
    with engine.begin() as c:
        mention_id = c.execute(insert(mentions).values(
            source="x", external_id="later", created_at=NOW + timedelta(hours=1),
            collected_at=NOW, author="bigcritic", author_followers=90_000, text="acme still bad",
            is_repost=False, is_reply=False, text_hash="later")).inserted_primary_key[0]
        c.execute(insert(matches).values(topic_id=1, mention_id=mention_id,
                                         created_at=NOW + timedelta(hours=1)))
        c.execute(insert(scores).values(mention_id=mention_id, label="negative", compound=-0.7,
                                        scorer="test", scored_at=NOW))
    report = run_alerts(engine, config, now=NOW + timedelta(hours=2))
    assert not report.sent
    assert [(a.key, why) for a, _, why in report.held] == [("x:later", "cooldown 24 h")]
    assert len(sink.envelopes) == 2


def test_daily_cap_holds_the_rest(engine, tmp_path, smtp_server):
    sink, port = smtp_server
    report = run_alerts(engine, make_config(tmp_path, port, daily_cap=1), now=NOW)
    assert len(report.sent) == 1 and len(sink.envelopes) == 1
    assert [why for _, _, why in report.held] == ["daily cap 1"]
    assert "held back (email, daily cap 1)" in "\n".join(report.lines())


def test_dry_run_sends_and_records_nothing(engine, tmp_path, smtp_server):
    sink, port = smtp_server
    report = run_alerts(engine, make_config(tmp_path, port), now=NOW, dry_run=True)
    assert len(report.would_send) == 2 and not sink.envelopes and sent_rows(engine) == []


class Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Hook.received, Hook.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Hook, f"http://127.0.0.1:{server.server_port}/hooks/T000/SECRET-TOKEN"
    server.shutdown()
    server.server_close()


def test_webhook_gets_slack_json_and_failures_hide_the_url(engine, tmp_path, smtp_server, webhook):
    hook, url = webhook
    _, port = smtp_server
    config = make_config(tmp_path, port, webhook=url)
    hook.status = 500
    failed = run_alerts(engine, config, now=NOW)
    assert failed.errors and all("HTTP 500" in e and "SECRET" not in e for e in failed.errors)
    assert ("webhook" not in {channel for _, _, channel in sent_rows(engine)})
    hook.status, hook.received = 200, []
    retried = run_alerts(engine, config, now=NOW)
    assert not retried.errors
    assert len(hook.received) == 2 and all(set(p) == {"text"} for p in hook.received)
    assert any("*[listener] Spike: Acme" in p["text"] for p in hook.received)
    assert {c for _, _, c in sent_rows(engine)} == {"email", "webhook"}


def test_alerts_command_is_recorded_as_a_run_and_waits_for_no_other(engine, smtp_server, write_config):
    from typer.testing import CliRunner

    from listener.cli import app
    from listener.config import load
    from listener.lock import run_lock
    from storage.schema import runs

    sink, port = smtp_server
    path = write_config(f"""
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "alerts@example.com"
[alerts]
enabled = true
recipients = ["oncall@example.com"]
negative_min_followers = 10000
""", feed=False, database="t.db")
    with run_lock(load(path), "alerts"):  # the scheduled check is running
        locked = CliRunner().invoke(app, ["--config", str(path), "alerts"])
    assert locked.exit_code == 3 and "nothing sent" in locked.output
    with time_machine.travel(NOW.replace(tzinfo=UTC)):
        result = CliRunner().invoke(app, ["--config", str(path), "alerts"])
    assert result.exit_code == 0, result.output
    with engine.connect() as c:
        recorded = [(r.command, r.status, r.counts["sent"]) for r in c.execute(select(runs))]
    assert recorded == [("alerts", "ok", 2)] and len(sink.envelopes) == 2
