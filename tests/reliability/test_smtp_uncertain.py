"""A connection dropped after the server had the whole message: "uncertain", never resent on its
own, and the run reconnects for the remaining recipients (item 5)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from listener.cli import app
from listener.config import load
from listener.ingest import Ingestor
from storage import db
from tests.conftest import free_port

RECIPIENTS = ["boss@example.com", "cmo@example.com", "cfo@example.com"]


class DropsAfterData:
    """Takes each message; for the first ``drops`` of them, hangs up instead of answering."""

    def __init__(self, drops: int = 1):
        self.drops = drops
        self.received: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(list(envelope.rcpt_tos))
        if self.drops:
            self.drops -= 1
            server.transport.abort()  # the body is here; the client never hears 250
        return "250 OK"


@pytest.fixture
def dropping_server():
    from aiosmtpd.controller import Controller

    handler = DropsAfterData()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def cli(config, *args):
    return CliRunner().invoke(app, ["--config", str(config), *args])


def test_a_drop_after_data_is_uncertain_not_resent_and_the_others_still_go(config_file, dropping_server):
    handler, port = dropping_server
    config = config_file(extra=f"""
[[digests]]
name = "weekly"
recipients = {json.dumps(RECIPIENTS)}
topics = ["Acme"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
""")
    loaded = load(config)
    engine = db.create(loaded.storage.url)
    Ingestor(engine, loaded.topics)  # the topics exist, as after any collect
    engine.dispose()
    send = ["digest", "--week", "2026-W47", "--send"]

    first = cli(config, *send)
    assert first.exit_code == 1
    assert handler.received == [[r] for r in RECIPIENTS]  # one each: the run reconnected after the drop
    assert "weekly → boss@example.com (2026-W47): uncertain" in first.stderr
    assert "--resend-uncertain" in first.stderr
    assert "cmo@example.com (2026-W47): sent" in first.stdout and "cfo@example.com (2026-W47): sent" in first.stdout

    again = cli(config, *send)  # the next run (cron) sends nobody a second copy
    assert again.exit_code == 1 and len(handler.received) == 3
    assert "boss@example.com (2026-W47): uncertain" in again.stderr

    status = cli(config, "status", "--format", "json", "--check")
    assert status.exit_code == 1
    assert [(d["recipient"], d["status"]) for d in json.loads(status.stdout)["undelivered"]] == [
        ("boss@example.com", "uncertain")]

    resent = cli(config, *send, "--resend-uncertain")  # a person checked: it did not arrive
    assert resent.exit_code == 0, resent.output
    assert handler.received[3:] == [["boss@example.com"]]
    assert cli(config, "status", "--check").exit_code == 0
