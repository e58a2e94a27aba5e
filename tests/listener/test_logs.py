"""listener.logs: secrets never reach a log line."""

from __future__ import annotations

import io
import json
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


def test_json_lines_carry_level_logger_time_and_a_redacted_traceback():
    stream = io.StringIO()
    logs.setup(1, False, stream=stream, log_format=logs.LogFormat.json)
    try:
        logs.REDACTOR.add({"smtp-pass"})
        logging.getLogger("listener.collect").info("reddit: %d new", 3)
        try:
            raise ValueError("password=smtp-pass rejected")
        except ValueError:
            logging.getLogger("listener.x").exception("login failed")
        logs.setup(1, False, stream=stream)  # a later setup (listener serve) keeps the format
        logging.getLogger("listener.serve").warning("still json")
    finally:
        logging.getLogger().removeHandler(logs.setup(0, False, log_format=logs.LogFormat.text))
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(r["level"], r["logger"], r["message"]) for r in lines] == [
        ("INFO", "listener.collect", "reddit: 3 new"), ("ERROR", "listener.x", "login failed"),
        ("WARNING", "listener.serve", "still json")]
    assert lines[0]["timestamp"].endswith("+00:00")
    assert "ValueError" in lines[1]["exc_info"] and "smtp-pass" not in stream.getvalue()


def test_log_format_json_on_the_command_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from listener.cli import app

    config = tmp_path / "listener.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "x.db"}"\n\n'
                      '[[topics]]\nname = "Acme"\nkind = "brand"\nquery = "acme"\n', encoding="utf-8")
    monkeypatch.setenv("LISTENER_LOG_FORMAT", "json")
    try:
        result = CliRunner().invoke(app, ["--config", str(config), "-vv", "db", "upgrade"])
    finally:
        logging.getLogger().removeHandler(logs.setup(0, False, log_format=logs.LogFormat.text))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert records and all({"timestamp", "level", "logger", "message"} <= set(r) for r in records)
    bad = CliRunner().invoke(app, ["--log-format", "xml", "status"])
    assert bad.exit_code == 2 and "text" in bad.output and "json" in bad.output
