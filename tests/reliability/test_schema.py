"""Opening a drifted or newer database says what is wrong and what to run (item 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from listener.cli import app
from storage import db


def invoke(config, *args):
    return CliRunner().invoke(app, ["--config", str(config), *args])


def sql_engine(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def test_a_dropped_column_is_named_with_the_sql_that_restores_it(database_url, config_file):
    db.create(database_url).dispose()
    raw = sql_engine(database_url)
    with raw.begin() as connection:
        cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
        connection.execute(text(f"ALTER TABLE authors DROP COLUMN platform_id{cascade}"))
    config = config_file(url=database_url)
    for command in (["mentions"], ["db", "upgrade"]):
        result = invoke(config, *command)
        assert result.exit_code == 1, result.output
        assert "table authors lacks platform_id" in result.stderr and "already at" not in result.stdout
        assert "Traceback" not in result.output
    repair = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("ALTER TABLE")]
    assert repair == ["ALTER TABLE authors ADD COLUMN platform_id VARCHAR(255);"]
    with raw.begin() as connection:
        connection.execute(text(repair[0].rstrip(";")))
    raw.dispose()
    db.create(database_url).dispose()  # repaired: opens without a complaint


def test_a_database_from_a_newer_listener_says_so(database_url, config_file):
    db.create(database_url).dispose()
    raw = sql_engine(database_url)
    with raw.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    raw.dispose()
    result = invoke(config_file(url=database_url), "status")
    assert result.exit_code == 1
    assert "written by a newer listener (schema revision 0099_future" in result.stderr
    assert "Can't locate revision" not in result.output and "Traceback" not in result.output
    with pytest.raises(db.StorageError, match="pip install -U listener"):
        db.create(database_url)
