"""How each source is doing, for the digest's last section: one query of the runs ledger."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from listener.config import Config
from reports import model
from reports.text import SOURCE_NAMES
from storage.schema import connector_runs

SILENT_AFTER = timedelta(hours=48)  # a source with no data for this long is reported silent


def source_health(connection: Connection, config: Config, now: datetime) -> list[model.SourceHealth]:
    """One line per connector: the last run's status and error, and when data last came in."""
    latest = (select(connector_runs.c.connector, func.max(connector_runs.c.id).label("id"))
              .group_by(connector_runs.c.connector).subquery())
    last_runs = {row.connector: row for row in connection.execute(
        select(connector_runs).join(latest, connector_runs.c.id == latest.c.id))}
    last_data = dict(connection.execute(
        select(connector_runs.c.connector,
               func.max(func.coalesce(connector_runs.c.finished_at, connector_runs.c.started_at)))
        .where(connector_runs.c.fetched > 0, connector_runs.c.status != "failed")
        .group_by(connector_runs.c.connector)).all())
    names = sorted(set(last_runs) | set(config.connectors))
    health = []
    for name in names:
        run = last_runs.get(name)
        data_at = last_data.get(name)
        if run is None:
            status, error = "silent", None
        elif run.status == "failed":
            status, error = "failing", run.error
        elif data_at is None or now - data_at > SILENT_AFTER:
            status, error = "silent", run.error
        else:
            status, error = "ok", run.error if run.status == "partial" else None
        health.append(model.SourceHealth(
            source=SOURCE_NAMES.get(name, name), status=status, last_data=data_at,
            error=(error or "").strip()[:200] or None,
            fetched=int(run.fetched) if run else 0, new=int(run.new) if run else 0))
    return health
