"""7b. ``listener serve``: every source's collect job due at once, 100 ms latency per request.

The scheduler of ``listener serve`` (``listener.service``: its job store,
executor and job functions, from a config file) runs the ``collect:<source>``
jobs, first one source alone (each in a fresh database), then all six together
(fresh database); the figure is the time until the last job finished. Each job
collects and then scores, as under ``serve``. Target: all together <= 1.5 x the
slowest source alone (jobs that overlap, not one after another).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import corpus
from bench.bench_collect import LATENCY, sandbox_world
from bench.common import Context, Result, check, database

TARGET = 1.5
TIMEOUT = 300.0


def write_config(path: Path, url: str, settings: dict[str, dict]) -> Path:
    """A listener config file (JSON values are valid TOML values for these settings)."""
    lines = [f"[storage]\nurl = {json.dumps(url)}\n[serve]\njitter_seconds = 0\n"]
    for t in corpus.TOPICS:
        lines.append(f"[[topics]]\nname = {json.dumps(t['name'])}\nkind = {json.dumps(t['kind'])}\n"
                     f"query = {json.dumps(t['query'])}\n")
    for name, values in settings.items():
        lines.append(f"[connectors.{name}]\ninterval_minutes = 60\n"
                     + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items()))
    path.write_text("".join(lines), encoding="utf-8")
    return path


def serve_once(config_path: Path) -> tuple[float, list[str]]:
    """Seconds from releasing the due collect jobs to the end of the last one; job errors."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from listener import service
    from listener.config import load
    from storage import db

    config = load(config_path)
    engine = db.create(config.storage.url)
    scheduler = service.build_scheduler(config, str(config_path), engine=engine)
    finished: set[str] = set()
    errors: list[str] = []
    everything_ran = threading.Event()

    def on_event(event) -> None:
        finished.add(event.job_id)
        if event.exception is not None:
            errors.append(f"{event.job_id}: {event.exception}")
        if wanted <= finished:
            everything_ran.set()

    scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start(paused=True)
    try:
        jobs = [job for job in service.sync_jobs(scheduler, config, str(config_path))
                if job.id.startswith("collect:")]
        wanted = {job.id for job in jobs}
        now = datetime.now(UTC)
        for job in jobs:
            job.modify(next_run_time=now)
        started = time.perf_counter()
        scheduler.resume()
        if not everything_ran.wait(TIMEOUT):
            errors.append(f"not finished after {TIMEOUT:.0f} s: {sorted(wanted - finished)}")
        seconds = time.perf_counter() - started
    finally:
        scheduler.shutdown(wait=True)
        engine.dispose()
    return seconds, errors


def run(ctx: Context) -> list[Result]:
    single: dict[str, float] = {}
    notes: list[str] = []
    server, names = sandbox_world(ctx)
    with server as sandbox:
        settings = {name: sandbox.connector_settings(name) for name in names}
        for name in names:
            with database(ctx, f"serve-{name}") as url:
                single[name], problems = serve_once(write_config(ctx.work / f"serve-{name}.toml", url,
                                                                 {name: settings[name]}))
            notes += problems
        with database(ctx, "serve-all") as url:
            total, problems = serve_once(write_config(ctx.work / "serve-all.toml", url, settings))
            notes += problems
    slowest = max(single, key=single.__getitem__)
    ratio = total / single[slowest]
    return [check(Result(
        "serve", f"{len(names)} collect jobs due at once, {LATENCY * 1000:.0f} ms latency ({ctx.backend})",
        total, "s", baseline=single[slowest], baseline_name=f"slowest source alone ({slowest})", ratio=ratio,
        target=f"ratio <= {TARGET}",
        note=(f"sum of singles {sum(single.values()):.1f} s; "
              + ", ".join(f"{name} {s:.1f} s" for name, s in single.items())
              + (f"; problems: {'; '.join(notes)}" if notes else "")),
    ), ratio <= TARGET and not notes)]
