"""``listener serve``: collection, alerts and digests on a schedule, as a long-running service.

* APScheduler 3 (``BackgroundScheduler``) with its jobs in the same database
  (``SQLAlchemyJobStore``, table ``apscheduler_jobs``), one job per stable id:
  ``collect:<connector>`` every ``interval_minutes`` (+ jitter), ``alerts`` every
  ``serve.alerts_interval_minutes``, ``digest:<name>`` at its local day/time/zone.
* Restarts neither lose nor double a run: a job whose definition did not change
  keeps the next run time stored in the job table (so an interval does not
  restart from zero); ``coalesce=True`` turns runs missed while stopped into one
  run at start, and ``misfire_grace_time`` decides how late is still worth it.
* One acting instance per database: the leader holds the ``serve`` lock
  (advisory lock on PostgreSQL, file lock on SQLite); other instances are hot
  standbys that retry every ``STANDBY_RETRY_SECONDS`` and take over when the
  leader goes away. A leader that loses its lock (its session died) stops
  scheduling and becomes a standby again.
* SIGTERM / SIGINT: no new job starts, running jobs finish their current step,
  the process exits 0.

Job functions are module-level and take plain arguments (the config path),
because the job store pickles references to them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from listener import config as config_module
from listener import operations
from listener.analysis.period import iso_week
from listener.lock import Locked, run_lock

log = logging.getLogger("listener.serve")

JOBS_TABLE = "apscheduler_jobs"
STANDBY_RETRY_SECONDS = 30.0
LEADER_CHECK_SECONDS = 30.0
COLLECT_LOCK_WAIT_SECONDS = 600.0  # a serve collect waits this long for a cron collect of its source
DIGEST_GRACE_SECONDS = 6 * 24 * 3600  # a digest missed while stopped is still sent within the week
WORKERS = 4


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[..., Any]
    args: tuple[Any, ...]
    trigger: Any
    misfire_grace_time: int | None
    fingerprint: str  # what defines the schedule; a change recomputes the next run


def job_specs(config: config_module.Config, config_path: str) -> list[JobSpec]:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    jitter = config.serve.jitter_seconds or None
    specs = []
    for name, settings in config.connector_settings.items():
        if not settings.enabled:
            continue
        specs.append(JobSpec(
            f"collect:{name}", run_collect, (config_path, name),
            IntervalTrigger(minutes=settings.interval_minutes, jitter=jitter, timezone="UTC"),
            None, f"interval {settings.interval_minutes} min jitter {jitter}"))
    if config.alerts.enabled:
        minutes = config.serve.alerts_interval_minutes
        specs.append(JobSpec("alerts", run_alerts, (config_path,),
                             IntervalTrigger(minutes=minutes, jitter=jitter, timezone="UTC"),
                             None, f"interval {minutes} min jitter {jitter}"))
    for digest in config.digests:
        hour, minute = (int(part) for part in digest.time.split(":"))
        specs.append(JobSpec(
            f"digest:{digest.name}", run_digest, (config_path, digest.name),
            CronTrigger(day_of_week=digest.day, hour=hour, minute=minute, timezone=ZoneInfo(digest.timezone)),
            DIGEST_GRACE_SECONDS, f"cron {digest.day} {digest.time} {digest.timezone}"))
    return specs


def build_scheduler(config: config_module.Config, config_path: str, *, engine: Any = None) -> Any:
    """A BackgroundScheduler (not started) with the job store in the config's database."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from storage import db

    engine = engine if engine is not None else db.create(config.storage.url)
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        # a thread for every job: the per-source collect jobs run side by side
        executors={"default": ThreadPoolExecutor(max(WORKERS, len(job_specs(config, config_path))))},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone="UTC",
    )


def sync_jobs(scheduler: Any, config: config_module.Config, config_path: str) -> list[Any]:
    """Put the configured jobs in the started scheduler; keep stored next run times; drop stale jobs."""
    specs = job_specs(config, config_path)
    wanted = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info("removing job %s (no longer configured)", job.id)
            scheduler.remove_job(job.id)
    for spec in specs:
        existing = scheduler.get_job(spec.id)
        extra: dict[str, Any] = {}
        name = f"{spec.id} ({spec.fingerprint})"
        if existing is not None and existing.name == name and existing.next_run_time is not None:
            extra["next_run_time"] = existing.next_run_time  # due while stopped: runs once, now
        scheduler.add_job(spec.func, spec.trigger, args=spec.args, id=spec.id, name=name,
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=spec.misfire_grace_time, **extra)
    return scheduler.get_jobs()


def serve(config_path: str | Path, *, stop: threading.Event,
          standby_retry: float = STANDBY_RETRY_SECONDS, leader_check: float = LEADER_CHECK_SECONDS) -> None:
    """Run until ``stop`` is set: as leader when the ``serve`` lock is free, as standby otherwise."""
    config_path = str(Path(config_path).resolve())
    config = config_module.load(config_path)
    standby_logged = False
    while not stop.is_set():
        try:
            with run_lock(config, "serve") as held:
                log.info("serve: this instance is the leader; scheduling jobs")
                _lead(config, config_path, stop, held, leader_check)
                standby_logged = False
        except Locked as error:
            if not standby_logged:
                log.info("serve: standby, %s; retrying every %gs", error, standby_retry)
                standby_logged = True
            stop.wait(standby_retry)
    log.info("serve: stopped")


def _lead(config: config_module.Config, config_path: str, stop: threading.Event, held: Any,
          leader_check: float) -> None:
    scheduler = build_scheduler(config, config_path)
    scheduler.start(paused=True)
    try:
        for job in sync_jobs(scheduler, config, config_path):
            log.info("job %s: next run %s", job.id, job.next_run_time)
        scheduler.resume()
        while not stop.wait(leader_check):
            if not held.alive():
                log.error("serve: lost the leader lock (database connection gone); becoming a standby")
                break
    finally:
        log.info("serve: shutting down; waiting for running jobs to finish their current step")
        scheduler.shutdown(wait=True)


# --- job functions: module-level, plain arguments (pickled by reference in the job store) ----

def _load(config_path: str) -> config_module.Config:
    from listener import logs

    config = config_module.load(config_path)
    logs.register_secrets(config)
    return config


def run_collect(config_path: str, connector: str) -> None:
    try:
        outcome = operations.collect(_load(config_path), only=[connector], lock_wait=COLLECT_LOCK_WAIT_SECONDS)
    except Locked as error:
        log.warning("collect %s skipped: %s", connector, error)
        return
    for item in outcome.collect.connectors:
        log.info("collect %s: %s, %d fetched, %d new%s", item.name, item.status, item.fetched, item.new,
                 f" — {item.error}" if item.error else "")


def run_alerts(config_path: str) -> None:
    try:
        report = operations.send_alerts(_load(config_path))
    except Locked as error:
        log.warning("alerts skipped: %s", error)
        return
    log.info("alerts: %d sent%s", len(report.sent),
             f", errors: {'; '.join(report.errors)}" if report.errors else "")


def run_digest(config_path: str, digest: str) -> None:
    period = iso_week(None)  # the last full week
    try:
        report = operations.send_digests(_load(config_path), period, names=[digest],
                                         lock_wait=COLLECT_LOCK_WAIT_SECONDS)
    except Locked as error:
        log.warning("digest %s skipped: %s", digest, error)
        return
    statuses = [item.status for item in report.deliveries]
    log.info("digest %s (%s): %s", digest, period.label,
             ", ".join(f"{statuses.count(s)} {s}" for s in sorted(set(statuses))) or "nothing to do")
