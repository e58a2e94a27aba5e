"""No secret in any output: a collect against hostile servers, with canary secrets (guarantee list)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from connectors import REGISTRY
from listener.cli import app
from listener.sandbox import load_platforms
from tests.reliability.hostile import hostile

CANARY = "canary-7f3a9c1e"
PLATFORMS = load_platforms()
SECRETS = {"x": "bearer_token", "reddit": "client_secret", "mastodon": "access_token", "bluesky": "app_password"}


def section(name: str, url: str) -> str:
    settings = {**PLATFORMS[name].connector_settings(url), "max_response_bytes": 100_000, "retries": 0}
    if name in SECRETS:
        settings[SECRETS[name]] = f"{CANARY}-{name}"
    if name == "mastodon":  # the token rides in the instance URL's query as well
        settings["instances"] = [f"{url}/?access_token={CANARY}-query"]
    fields = REGISTRY[name].Settings.model_fields
    return f"[connectors.{name}]\n" + "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in settings.items() if key in fields)


@pytest.mark.parametrize("mode", ["endless", "bomb"])
def test_no_canary_secret_reaches_output_logs_status_or_the_database(config_file, tmp_path, mode):
    with hostile(mode) as url:
        config = config_file(extra="".join(section(name, url) for name in [*sorted(SECRETS), "hackernews"])
                             + f'[smtp]\npassword = "{CANARY}-smtp"\n')
        collected = CliRunner().invoke(app, ["--config", str(config), "-vv", "collect", "--no-score"])
    status = CliRunner().invoke(app, ["--config", str(config), "status", "--format", "json"])
    assert collected.exit_code == 1 and "max_response_bytes" in collected.output
    engine = create_engine(f"sqlite:///{tmp_path / 'listener.db'}")
    with engine.connect() as connection:
        dump = repr([connection.exec_driver_sql(f'SELECT * FROM "{table}"').fetchall()
                     for table in inspect(connection).get_table_names()])
    engine.dispose()
    for text in (collected.stdout, collected.stderr, status.stdout, status.stderr, dump):
        assert CANARY not in text
