"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when configured.

``engine`` runs each test on SQLite and, when ``LISTENER_TEST_POSTGRES_URL`` is
set, again on PostgreSQL in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage import db

POSTGRES_URL = os.environ.get("LISTENER_TEST_POSTGRES_URL")
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not POSTGRES_URL, reason="LISTENER_TEST_POSTGRES_URL is not set (no PostgreSQL to test against)")),
]


@pytest.fixture(autouse=True)
def no_real_sleep(request, monkeypatch):
    """A real ``time.sleep`` fails the test unless it is marked ``real_sleep``.

    Inject a sleep (connectors take ``sleep=``) or a clock instead. In the test's own
    thread the sleep raises at once; in another thread (a server, a worker) it is
    recorded, done, and the test fails at teardown.
    """
    if request.node.get_closest_marker("real_sleep"):
        yield
        return
    real_sleep, slept = time.sleep, []

    def guarded(seconds: float) -> None:
        if seconds <= 0:
            return real_sleep(seconds)
        where = traceback.extract_stack(limit=2)[0]
        message = (f"real time.sleep({seconds:g}) at {where.filename}:{where.lineno}; inject a sleep or a "
                   "clock, or mark the test @pytest.mark.real_sleep")
        if threading.current_thread() is threading.main_thread():
            raise AssertionError(message)
        slept.append(message)
        return real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", guarded)
    yield
    if slept:
        pytest.fail("; ".join(dict.fromkeys(slept)))


@pytest.fixture
def forking(monkeypatch):
    """Work meant for a forked child is forked, even where an earlier test in this worker left
    a daemon thread behind (a loopback server's request thread): listener itself stays in one
    process when other threads run, which would quietly test the one-process path instead."""
    monkeypatch.setattr("listener.ahead.can_fork", lambda: True)
    monkeypatch.setattr("listener.overlap.can_fork", lambda: True)


@pytest.fixture
def write_config(tmp_path: Path):
    """``write_config(extra="", *, feed=True, database="listener.db", url=None) -> Path`` of a listener.toml.

    The config (in tmp_path) has the SQLite ``database`` in tmp_path (or ``url``), the topic Acme (``acme``) and, with
    ``feed``, a ``file`` connector over an empty feed; ``extra`` TOML follows (its leading
    keys, before any table header, belong to ``[connectors.file]``).
    """

    def write(extra: str = "", *, feed: bool = True, database: str = "listener.db", url: str | None = None) -> Path:
        text = f"""
[storage]
url = "{url or f'sqlite:///{tmp_path / database}'}"
[[topics]]
name = "Acme"
kind = "brand"
query = "acme"
"""
        if feed:
            path = tmp_path / "feed.jsonl"
            path.write_text("", encoding="utf-8")
            text += f'[connectors.file]\npaths = ["{path}"]\n'
        config = tmp_path / "listener.toml"
        config.write_text(text + extra, encoding="utf-8")
        return config

    return write


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path: Path):
    """A URL for an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'listener.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url):
    engine = db.create(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    """SQLite only, for tests about behaviour that does not depend on the backend."""
    engine = db.create(f"sqlite:///{tmp_path / 'listener.db'}")
    yield engine
    engine.dispose()


# --- a real SMTP server on loopback (aiosmtpd), for digest and alert delivery tests -------

class SmtpSink:
    """Collects what an aiosmtpd server received; ``refuse`` makes it answer DATA with 554."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_smtp_server():
    """``start_smtp_server(**aiosmtpd Controller options) -> (sink, port)``; stopped afterwards."""
    from aiosmtpd.controller import Controller

    started = []

    def start(**options):
        sink = SmtpSink()
        controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        return sink, controller.port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def smtp_server(start_smtp_server):
    """(sink, port) of a plain SMTP server on 127.0.0.1; no TLS, no login."""
    return start_smtp_server()


# --- stored topics and mentions, for analysis, alerts, scoring and labelling tests -------

class MentionRows:
    """Adds topics and mentions (with their topic matches) to a test database."""

    def __init__(self, engine) -> None:
        self.engine = engine

    def topic(self, name: str, query: str, kind: str = "brand") -> int:
        from sqlalchemy import insert

        from storage.schema import topics

        with self.engine.begin() as connection:
            return connection.execute(
                insert(topics).values(name=name, kind=kind, query=query).returning(topics.c.id)
            ).scalar_one()

    def mention(self, external_id, text: str, *, lang: str | None = None, topic_ids=(),
                source: str = "x", created_at=None) -> int:
        from datetime import datetime

        from sqlalchemy import insert

        from storage.mentions import text_hash
        from storage.schema import matches, mentions

        created_at = created_at or datetime(2026, 11, 16, 12)
        with self.engine.begin() as connection:
            mention_id = connection.execute(insert(mentions).values(
                source=source, external_id=str(external_id), created_at=created_at,
                collected_at=created_at, text=text, lang=lang, text_hash=text_hash(text),
            ).returning(mentions.c.id)).scalar_one()
            for topic_id in topic_ids:
                connection.execute(insert(matches).values(
                    topic_id=topic_id, mention_id=mention_id, created_at=created_at))
        return mention_id

    def scores(self) -> dict:
        """Every stored score row, by mention id."""
        from sqlalchemy import select

        from storage.schema import scores

        with self.engine.connect() as connection:
            return {row.mention_id: row for row in connection.execute(select(scores))}


@pytest.fixture
def rows(engine) -> MentionRows:
    """Topics and mentions in the ``engine`` database (SQLite, and PostgreSQL when configured)."""
    return MentionRows(engine)


@pytest.fixture
def sqlite_rows(sqlite_engine) -> MentionRows:
    """Topics and mentions in a SQLite database."""
    return MentionRows(sqlite_engine)


@pytest.fixture
def make_rows():
    """``make_rows(engine)`` -> :class:`MentionRows` for a database the test opened itself."""
    return MentionRows
