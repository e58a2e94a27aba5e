"""``listener status``: is every source healthy, how big is the database, what runs next.

Everything here is a handful of indexed counts, so status is instant on a
large database and safe to run while a collect is writing (WAL on SQLite).

A source is *silent* when it stored no mention, or far fewer than usual, in the
last 24 hours: fewer than ``SILENT_RATIO`` x the median daily count of the 14
days before, provided that median is at least ``SILENT_MIN_MEDIAN`` (a source
that usually brings two posts a day is not alarming when it brings none).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, desc, func, inspect, select, text
from sqlalchemy.engine import make_url

from listener.config import Config
from storage.schema import (
    authors,
    connector_runs,
    digests_sent,
    matches,
    mentions,
    runs,
    scores,
    topics,
)
from storage.times import from_db, to_db

SILENT_RATIO = 0.2
UNHEALTHY_RUNS = ("failed", "died")
UNDELIVERED_DAYS = 30  # a digest that failed longer ago than this is history, not an alarm
SILENT_MIN_MEDIAN = 5
BASELINE_DAYS = 14
JOBS_TABLE = "apscheduler_jobs"
COUNTED = {"mentions": mentions, "authors": authors, "scores": scores, "matches": matches,
           "topics": topics, "runs": runs}


@dataclass
class ConnectorHealth:
    name: str
    enabled: bool
    interval_minutes: int | None
    last_success: datetime | None = None
    last_run_status: str | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    mentions_24h: int = 0
    mentions_7d: int = 0
    median_daily_14d: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Status:
    now: datetime
    connectors: list[ConnectorHealth]
    database: dict[str, Any]
    last_runs: dict[str, dict[str, Any]]
    next_runs: list[dict[str, Any]]
    undelivered: list[dict[str, Any]] = field(default_factory=list)  # digests failed or uncertain

    @property
    def problems(self) -> list[str]:
        """Everything that makes the install unhealthy, one line each."""
        found = [f"{c.name}: {warning}" for c in self.connectors for warning in c.warnings]
        found += [f"last {command} run {run['status']}: {run['error'] or 'no error recorded'}"
                  for command, run in self.last_runs.items() if run["status"] in UNHEALTHY_RUNS]
        found += [f"digest {d['digest']} for {d['recipient']} ({d['period']}): {d['status']}"
                  + (f" — {d['last_error']}" if d["last_error"] else "") for d in self.undelivered]
        return found

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self)) | {"healthy": self.healthy, "problems": self.problems}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _count(connection: Connection, source: str, start: datetime, end: datetime) -> int:
    return connection.execute(
        select(func.count()).select_from(mentions).where(
            mentions.c.source == source, mentions.c.created_at >= to_db(start), mentions.c.created_at < to_db(end))
    ).scalar_one()


def connector_health(connection: Connection, config: Config, now: datetime) -> list[ConnectorHealth]:
    names = list(config.connector_settings)
    names += [n for n in connection.execute(select(connector_runs.c.connector).distinct()).scalars()
              if n not in names]
    result = []
    for name in names:
        settings = config.connector_settings.get(name)
        health = ConnectorHealth(name, enabled=bool(settings and settings.enabled),
                                 interval_minutes=settings.interval_minutes if settings else None)
        health.last_success = from_db(connection.execute(
            select(func.max(connector_runs.c.finished_at)).where(
                connector_runs.c.connector == name, connector_runs.c.status == "ok")).scalar_one())
        last = connection.execute(
            select(connector_runs.c.status, connector_runs.c.finished_at, connector_runs.c.started_at)
            .where(connector_runs.c.connector == name).order_by(desc(connector_runs.c.id)).limit(1)).first()
        health.last_run_status = last.status if last else None
        failed = connection.execute(
            select(connector_runs.c.error, connector_runs.c.started_at)
            .where(connector_runs.c.connector == name, connector_runs.c.error.is_not(None))
            .order_by(desc(connector_runs.c.id)).limit(1)).first()
        if failed:
            health.last_error, health.last_error_at = failed.error, from_db(failed.started_at)
        health.mentions_24h = _count(connection, name, now - timedelta(days=1), now)
        health.mentions_7d = _count(connection, name, now - timedelta(days=7), now)
        daily = [_count(connection, name, now - timedelta(days=d + 1), now - timedelta(days=d))
                 for d in range(1, BASELINE_DAYS + 1)]
        health.median_daily_14d = float(statistics.median(daily))
        health.warnings = _warnings(health, now)
        result.append(health)
    return result


def _warnings(health: ConnectorHealth, now: datetime) -> list[str]:
    warnings = []
    if not health.enabled:
        return warnings
    if health.last_run_status in UNHEALTHY_RUNS:
        warnings.append(f"last run {health.last_run_status}: {health.last_error}")
    if health.last_run_status is None:
        warnings.append("never run")
    median = health.median_daily_14d
    if median >= SILENT_MIN_MEDIAN and health.mentions_24h < SILENT_RATIO * median:
        warnings.append(f"silent: {health.mentions_24h} mentions in the last 24 h vs a median of "
                        f"{median:g} per day over the previous {BASELINE_DAYS} days")
    if health.interval_minutes and health.last_success is not None:
        overdue = now - health.last_success
        # serve runs it every interval; cron daily: allow a day and a half before warning
        allowed = max(timedelta(minutes=3 * health.interval_minutes), timedelta(hours=36))
        if overdue > allowed:
            warnings.append(f"no successful run for {_ago(overdue)}")
    return warnings


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} h"


def database_info(connection: Connection, url: str) -> dict[str, Any]:
    info: dict[str, Any] = {"url": make_url(url).render_as_string(hide_password=True),
                            "backend": connection.dialect.name}
    if connection.dialect.name == "sqlite":
        database = make_url(url).database
        size = 0
        if database and database != ":memory:":
            for suffix in ("", "-wal"):
                path = Path(database + suffix)
                size += path.stat().st_size if path.exists() else 0
        info["size_bytes"] = size
    else:
        info["size_bytes"] = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    info["rows"] = {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                    for name, table in COUNTED.items()}
    return info


def last_runs(connection: Connection) -> dict[str, dict[str, Any]]:
    latest = select(runs.c.command, func.max(runs.c.id).label("id")).group_by(runs.c.command).subquery()
    rows = connection.execute(
        select(runs.c.command, runs.c.started_at, runs.c.finished_at, runs.c.status, runs.c.error)
        .join(latest, latest.c.id == runs.c.id).order_by(runs.c.command))
    return {row.command: {"started_at": from_db(row.started_at), "finished_at": from_db(row.finished_at),
                          "status": row.status, "error": row.error} for row in rows}


def next_runs(connection: Connection) -> list[dict[str, Any]]:
    """From the ``listener serve`` job store, when there is one."""
    if not inspect(connection).has_table(JOBS_TABLE):
        return []
    rows = connection.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE} ORDER BY next_run_time"))
    return [{"job": job_id, "next_run": datetime.fromtimestamp(when, UTC) if when is not None else None}
            for job_id, when in rows]


def undelivered(connection: Connection, now: datetime) -> list[dict[str, Any]]:
    """Digest deliveries of the last weeks not known to be sent: failed, or uncertain (``sending``)."""
    rows = connection.execute(
        select(digests_sent.c.digest, digests_sent.c.recipient, digests_sent.c.period, digests_sent.c.status,
               digests_sent.c.last_error)
        .where(digests_sent.c.status != "sent",
               digests_sent.c.updated_at >= to_db(now - timedelta(days=UNDELIVERED_DAYS)))
        .order_by(digests_sent.c.period, digests_sent.c.digest, digests_sent.c.recipient))
    return [{**row._asdict(), "status": "uncertain" if row.status == "sending" else row.status} for row in rows]


def gather(connection: Connection, config: Config, now: datetime | None = None) -> Status:
    now = now or datetime.now(UTC)
    return Status(now=now, connectors=connector_health(connection, config, now),
                  database=database_info(connection, config.storage.url),
                  last_runs=last_runs(connection), next_runs=next_runs(connection),
                  undelivered=undelivered(connection, now))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def render(status: Status) -> list[Any]:
    """Rich renderables for the terminal; every cell is Text, so no stored text is read as markup."""
    from rich.table import Table
    from rich.text import Text

    def when(moment: datetime | None) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"

    sources = Table(title="sources")
    for column in ("connector", "last success", "last error", "24 h", "7 d", "median/day", "health"):
        sources.add_column(column, overflow="fold")
    for c in status.connectors:
        error = f"{when(c.last_error_at)}: {c.last_error}" if c.last_error else "—"
        health = Text("; ".join(c.warnings), style="bold red") if c.warnings else Text(
            "ok" if c.enabled else "disabled", style="green" if c.enabled else "dim")
        sources.add_row(Text(c.name), Text(when(c.last_success)), Text(error[:160]), Text(str(c.mentions_24h)),
                        Text(str(c.mentions_7d)), Text(f"{c.median_daily_14d:g}"), health)
    database = status.database
    rows = ", ".join(f"{name} {count:,}" for name, count in database["rows"].items())
    summary = Text(f"database: {database['url']} ({database['backend']}), {human_size(database['size_bytes'])}; "
                   f"{rows}")
    parts: list[Any] = [sources, summary]
    if status.last_runs:
        recent = Table(title="last runs")
        for column in ("command", "started", "finished", "status", "error"):
            recent.add_column(column, overflow="fold")
        for command, run in status.last_runs.items():
            recent.add_row(Text(command), Text(when(run["started_at"])), Text(when(run["finished_at"])),
                           Text(run["status"]), Text((run["error"] or "")[:160]))
        parts.append(recent)
    if status.next_runs:
        upcoming = Table(title="next scheduled runs (listener serve)")
        upcoming.add_column("job")
        upcoming.add_column("next run")
        for job in status.next_runs:
            upcoming.add_row(Text(job["job"]), Text(when(job["next_run"]) if job["next_run"] else "paused"))
        parts.append(upcoming)
    else:
        parts.append(Text("no scheduled jobs (listener serve has not run against this database)", style="dim"))
    return parts
