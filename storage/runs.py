"""The record of every run: what ran, when, with what counts and errors."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from storage.schema import connector_runs, runs
from storage.times import from_db, utcnow

DIED = "died"  # the process ended (killed, out of memory, power cut) without finishing the run


def start_run(connection: Connection, command: str) -> int:
    return _new_id(connection.execute(
        insert(runs).values(
            command=command, started_at=utcnow(), status="running",
            host=socket.gethostname(), pid=os.getpid(),
        )
    ).inserted_primary_key)


def finish_run(connection: Connection, run_id: int, status: str, counts: dict[str, Any] | None = None,
               error: str | None = None) -> None:
    connection.execute(
        update(runs).where(runs.c.id == run_id).values(
            finished_at=utcnow(), status=status, counts=counts, error=error
        )
    )


def start_connector_run(connection: Connection, run_id: int, connector: str) -> int:
    return _new_id(connection.execute(
        insert(connector_runs).values(run_id=run_id, connector=connector, started_at=utcnow(), status="running")
    ).inserted_primary_key)


def finish_connector_run(connection: Connection, connector_run_id: int, *, status: str, fetched: int, new: int,
                         skipped: int, requests: int, error: str | None = None) -> None:
    connection.execute(
        update(connector_runs).where(connector_runs.c.id == connector_run_id).values(
            finished_at=utcnow(), status=status, fetched=fetched, new=new, skipped=skipped,
            requests=requests, error=error,
        )
    )


def process_alive(pid: int, started_at: datetime) -> bool:
    """Is the process that started a run at ``started_at`` still running on this host?

    A pid reused by a newer process does not count: that process started after the run.
    """
    import psutil

    try:
        created = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:  # exists, owned by someone else: assume it is ours
        return True
    return created <= started_at.timestamp() + 1  # create_time is rounded by the kernel


def mark_died(connection: Connection, alive: Callable[[int, datetime], bool] = process_alive) -> int:
    """Mark ``died`` the running runs (and their connector runs) whose process is gone; how many.

    Only runs started on this host can be checked; others stay ``running``.
    """
    host = socket.gethostname()
    rows = connection.execute(
        select(runs.c.id, runs.c.pid, runs.c.started_at).where(runs.c.status == "running", runs.c.host == host)
    ).all()
    dead = [row for row in rows if row.pid is None or not alive(row.pid, _started(row.started_at))]
    now = utcnow()
    for row in dead:
        error = (f"the process (pid {row.pid} on {host}) ended without finishing the run: killed "
                 "(out of memory, kill -9) or crashed; the next run resumes from the saved cursors")
        connection.execute(update(runs).where(runs.c.id == row.id).values(
            status=DIED, finished_at=now, error=error))
        connection.execute(update(connector_runs).where(
            connector_runs.c.run_id == row.id, connector_runs.c.status == "running",
        ).values(status=DIED, finished_at=now, error=error))
    return len(dead)


def _started(moment: datetime | None) -> datetime:
    started = from_db(moment)
    assert started is not None  # runs.started_at is NOT NULL
    return started


def _new_id(key: Any) -> int:
    assert key is not None  # a single-row INSERT always returns its key
    return int(key[0])
