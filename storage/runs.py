"""The record of every run: what ran, when, with what counts and errors."""

from __future__ import annotations

import os
import socket
from typing import Any

from sqlalchemy import Connection, insert, update

from storage.schema import connector_runs, runs
from storage.times import utcnow


def start_run(connection: Connection, command: str) -> int:
    return connection.execute(
        insert(runs).values(
            command=command, started_at=utcnow(), status="running",
            host=socket.gethostname(), pid=os.getpid(),
        )
    ).inserted_primary_key[0]


def finish_run(connection: Connection, run_id: int, status: str, counts: dict[str, Any] | None = None,
               error: str | None = None) -> None:
    connection.execute(
        update(runs).where(runs.c.id == run_id).values(
            finished_at=utcnow(), status=status, counts=counts, error=error
        )
    )


def start_connector_run(connection: Connection, run_id: int, connector: str) -> int:
    return connection.execute(
        insert(connector_runs).values(run_id=run_id, connector=connector, started_at=utcnow(), status="running")
    ).inserted_primary_key[0]


def finish_connector_run(connection: Connection, connector_run_id: int, *, status: str, fetched: int, new: int,
                         skipped: int, requests: int, error: str | None = None) -> None:
    connection.execute(
        update(connector_runs).where(connector_runs.c.id == connector_run_id).values(
            finished_at=utcnow(), status=status, fetched=fetched, new=new, skipped=skipped,
            requests=requests, error=error,
        )
    )
