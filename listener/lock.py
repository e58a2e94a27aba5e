"""One run at a time per database: ``with run_lock(config, "collect"): ...``.

* SQLite: a file lock (filelock) next to the database file, ``listener.db.collect.lock``,
  with a small ``.info`` file beside it saying who holds it (pid, host, since).
* PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) held on a
  dedicated connection for as long as the block runs; the holder is found in
  ``pg_stat_activity`` by the ``application_name`` it sets. The lock dies with
  the connection, so a killed run never leaves a stale lock behind.

The lock is per command name: two ``digest`` runs never overlap, while a
weekly ``digest`` does not wait for a long ``collect``. Collecting is locked
per connector (``collect_locks``: ``collect.<name>``), so two runs never
collect the same source at once while different sources run side by side:
``listener serve``'s per-connector jobs overlap, and a cron ``listener
collect`` waits only for the sources it shares with them. ``listener serve``
takes the ``serve`` lock to be the one acting instance (the others are hot
standbys).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

# first key of the two-int advisory lock: "listener" namespace, so other apps' locks never clash
PG_NAMESPACE = 0x4C53544E  # "LSTN"


class Locked(Exception):
    """Another run holds the lock. The message names it (command, since, pid, host)."""

    def __init__(self, command: str, holder: dict[str, Any] | None):
        self.command = command
        self.holder = holder or {}
        since = self.holder.get("since") or "an unknown time"
        who = f"pid {self.holder['pid']}" if self.holder.get("pid") else "pid unknown"
        if self.holder.get("host"):
            who += f" on {self.holder['host']}"
        super().__init__(f"another listener {command} is running since {since} ({who})")


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _url(target: Any) -> str:
    """A database URL from a Config, an Engine or a URL string."""
    if isinstance(target, Engine):
        return target.url.render_as_string(hide_password=False)
    storage = getattr(target, "storage", None)
    return storage.url if storage is not None else str(target)


def sqlite_lock_path(url: str, command: str) -> Path | None:
    """Where the lock file of ``command`` lives, or None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return path.with_name(f"{path.name}.{command}.lock")


def pg_key(command: str, schema: str = "public") -> int:
    """The second advisory-lock key: a signed 32-bit hash of (schema, command)."""
    value = zlib.crc32(f"{schema}:{command}".encode())
    return value - (1 << 32) if value >= (1 << 31) else value


class Held:
    """The lock, while held. ``alive()`` says whether it still is (a PostgreSQL session can die)."""

    def __init__(self, check: Any = None) -> None:
        self._check = check

    def alive(self) -> bool:
        return True if self._check is None else bool(self._check())


@contextmanager
def run_lock(target: Any, command: str, *, wait: float = 0.0, poll: float = 1.0,
             stop: threading.Event | None = None, sleep: Callable[[float], None] | None = None,
             clock: Callable[[], float] = time.monotonic) -> Iterator[Held]:
    """Hold the ``command`` lock of the database of ``target`` (Config, Engine or URL).

    Raises :class:`Locked` when another run holds it, at once or after ``wait``
    seconds of retrying every ``poll`` seconds (sooner when ``stop`` is set).
    ``sleep`` and ``clock`` (seconds, monotonic) let a test wait without waiting.
    """
    url = _url(target)
    patience = _Patience(clock() + wait, poll, stop, sleep, clock)
    if make_url(url).get_backend_name() == "sqlite":
        with _sqlite_lock(url, command, patience) as held:
            yield held
    else:
        with _pg_lock(url, command, patience) as held:
            yield held


@contextmanager
def collect_locks(target: Any, connectors: Iterable[str], *, wait: float = 0.0, poll: float = 1.0,
                  stop: threading.Event | None = None) -> Iterator[list[Held]]:
    """Hold the ``collect.<name>`` lock of every connector given (see the module docstring).

    Taken in name order, so runs asking for overlapping sets wait for each other
    instead of deadlocking; all or none: a refusal releases those already held.
    """
    with ExitStack() as stack:
        yield [stack.enter_context(run_lock(target, f"collect.{name}", wait=wait, poll=poll, stop=stop))
               for name in sorted(set(connectors))]


@dataclass(frozen=True)
class _Patience:
    deadline: float
    poll: float
    stop: threading.Event | None
    sleep: Callable[[float], None] | None
    clock: Callable[[], float]

    def retry(self) -> bool:
        """Sleep before another try; False when it is time to give up."""
        left = self.deadline - self.clock()
        if left <= 0 or (self.stop is not None and self.stop.is_set()):
            return False
        pause = min(self.poll, left)
        if self.stop is not None:
            return not self.stop.wait(pause)
        (self.sleep or time.sleep)(pause)
        return True


@contextmanager
def _sqlite_lock(url: str, command: str, patience: _Patience) -> Iterator[Held]:
    path = sqlite_lock_path(url, command)
    if path is None:  # an in-memory database cannot be shared, so there is nothing to guard
        yield Held()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    info = path.with_name(path.name + ".info")
    lock = FileLock(str(path), timeout=0, is_singleton=False)
    while True:
        try:
            lock.acquire(timeout=0)
            break
        except Timeout:
            if not patience.retry():
                raise Locked(command, _read_info(info)) from None
    try:
        info.write_text(json.dumps({"command": command, "pid": os.getpid(), "host": socket.gethostname(),
                                    "since": _now_iso()}), encoding="utf-8")
        yield Held()
    finally:
        info.unlink(missing_ok=True)
        lock.release()


def _read_info(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _pg_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # A dedicated connection, outside any pool a job might recycle: the lock lives with it.
    from sqlalchemy.pool import NullPool

    return create_engine(parsed, poolclass=NullPool)


@contextmanager
def _pg_lock(url: str, command: str, patience: _Patience) -> Iterator[Held]:
    engine = _pg_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            schema = connection.execute(text("SELECT current_schema()")).scalar_one() or "public"
            key = pg_key(command, schema)
            name = f"listener {command} {os.getpid()} {_now_iso()}"[:63]
            connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": name})
            while True:
                got = connection.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                         {"ns": PG_NAMESPACE, "key": key}).scalar_one()
                if got:
                    break
                if not patience.retry():
                    raise Locked(command, _pg_holder(connection, key))

            def still_held() -> bool:
                try:
                    return connection.execute(text(
                        "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory' "
                        "AND granted AND classid = :ns_oid AND objid = :key_oid AND objsubid = 2"
                    ), {"ns_oid": PG_NAMESPACE & 0xFFFFFFFF, "key_oid": key & 0xFFFFFFFF}).scalar_one() > 0
                except DBAPIError:
                    return False

            try:
                yield Held(still_held)
            finally:
                with suppress(DBAPIError):  # when the session is gone, so is the lock
                    connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                                       {"ns": PG_NAMESPACE, "key": key})
    finally:
        engine.dispose()


def _pg_holder(connection: Any, key: int) -> dict[str, Any] | None:
    row = connection.execute(text(
        "SELECT a.application_name, a.client_hostname, host(a.client_addr), a.backend_start "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :ns_oid AND l.objid = :key_oid "
        "AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    ), {"ns_oid": PG_NAMESPACE & 0xFFFFFFFF, "key_oid": key & 0xFFFFFFFF}).first()
    if row is None:
        return None
    holder: dict[str, Any] = {"host": row[1] or row[2]}
    parts = (row[0] or "").split()
    if len(parts) >= 4 and parts[0] == "listener":
        holder["pid"] = parts[2]
        holder["since"] = parts[3]
    else:
        holder["since"] = row[3].isoformat() if row[3] else None
    return holder


@contextmanager
def recorded(engine: Engine, command: str) -> Iterator[dict[str, Any]]:
    """Record a run of ``command`` in ``runs``: start, end, the counts put in the yielded dict, errors.

    An exception marks the run ``failed`` with its message and propagates unchanged.
    """
    from storage import runs

    with engine.begin() as connection:
        run_id = runs.start_run(connection, command)
    counts: dict[str, Any] = {}
    try:
        yield counts
    except BaseException as error:
        with engine.begin() as connection:
            runs.finish_run(connection, run_id, "failed", counts or None,
                            error=f"{type(error).__name__}: {error}"[:2000])
        raise
    with engine.begin() as connection:
        runs.finish_run(connection, run_id, "partial" if counts.get("errors") or counts.get("failed") else "ok",
                        counts or None)
