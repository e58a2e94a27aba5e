"""listener.logs: secrets never reach a log line."""

from __future__ import annotations

import io
import logging

from listener import logs
from listener.config import validate


def test_redacts_url_passwords_bearer_tokens_and_known_secrets():
    line = logs.redact("GET postgresql://bob:s3cr3t@db/x Authorization: Bearer abc.def-123 key=hunter22 token",
                       {"hunter22"})
    assert "s3cr3t" not in line and "abc.def-123" not in line and "hunter22" not in line
    assert "postgresql://bob:***@db/x" in line


def test_config_secrets_are_collected():
    config = validate({
        "storage": {"url": "postgresql://u:dbpass@h/db"},
        "topics": [{"name": "Acme", "kind": "brand", "query": "acme"}],
        "smtp": {"password": "smtp-pass"},
        "alerts": {"webhook_url": "https://hooks.example/T000/XYZ"},
    })
    assert logs.secrets_of(config) >= {"dbpass", "smtp-pass", "https://hooks.example/T000/XYZ"}


def test_every_record_through_the_handler_is_redacted():
    stream = io.StringIO()
    handler = logs.setup(1, False, stream=stream)
    try:
        logs.REDACTOR.add({"smtp-pass"})
        logging.getLogger("some.library").warning("login with %s failed", "smtp-pass")
        try:
            raise ValueError("password=smtp-pass rejected")
        except ValueError:
            logging.getLogger("listener.x").exception("boom")
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert "smtp-pass" not in output
    assert "login with *** failed" in output
    assert "ValueError" in output
