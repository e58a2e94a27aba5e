"""Operations: ``serve`` (the scheduler service), ``status`` (health at a glance), ``authors``."""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Annotated

import typer

from listener.cli.app import EXIT_RUN_ERROR, EXIT_USAGE, app, err, fail, out, state
from listener.cli.core import open_database, parse_day, parse_since
from listener.cli.options import AuthorFormat, AuthorSort, Kind, ReportFormat


@app.command()
def serve(
    ctx: typer.Context,
    standby_retry: Annotated[float, typer.Option(help="Seconds between a standby's attempts to become the leader.",
                                                 min=0.1)] = 30.0,
) -> None:
    """Run collection, alerts and digests on their schedules until stopped (SIGTERM or Ctrl-C).

    Collects each connector every interval_minutes (with serve.jitter_seconds of jitter),
    checks alerts every serve.alerts_interval_minutes and sends each digest at its local
    day/time/timezone. Jobs live in the database (table apscheduler_jobs): a restart neither
    loses nor repeats a run. Several instances may run; one acts, the others wait as standbys.

    Example: listener serve --config /etc/listener.toml
    """
    import logging

    from listener import config as config_module
    from listener import logs
    from listener.service import serve as run_service

    config = state(ctx).config()
    if not state(ctx).quiet and logging.getLogger().level > logging.INFO:
        logs.setup(max(state(ctx).verbose, 1), False)  # a service says what it does
    if not (config.connector_settings or config.digests or config.alerts.enabled):
        fail("nothing to schedule: configure a connector, a digest or [alerts] enabled = true", EXIT_USAGE)
    open_database(ctx).dispose()  # schema up to date (and a clear error) before scheduling
    stop = threading.Event()
    log = logging.getLogger("listener.serve")

    def stop_serving(name: str) -> None:
        log.info("serve: received %s; finishing the current step, then exiting", name)
        stop.set()

    def on_signal(signum: int, _frame: object) -> None:
        # A handler runs between two bytecodes of the main thread, perhaps while that thread holds
        # the lock inside `stop` or a log stream's: taking either here can deadlock (seen as a serve
        # that never exited on SIGTERM). The locking work runs in a thread of its own.
        threading.Thread(target=stop_serving, args=(signal.Signals(signum).name,), daemon=True).start()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    try:
        run_service(config_module.find(state(ctx).config_path), stop=stop, standby_retry=standby_retry)
    except config_module.ConfigError as error:
        fail(str(error), EXIT_USAGE)


@app.command()
def status(
    ctx: typer.Context,
    format: Annotated[ReportFormat, typer.Option(help="A table, or JSON for monitoring.")] = ReportFormat.table,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when anything is unhealthy (for cron and monitoring).")] = False,
) -> None:
    """Health at a glance: each source's last success, last error, recent volume and silence
    warnings; database size and row counts; the last run of each command; digests not delivered;
    next scheduled runs. A run whose process is gone (killed, out of memory) is marked "died".

    Exit code 0 even with warnings (they are printed), unless --check: then 1 when unhealthy.

    Example: listener status --check --format json
    """
    from listener.status import gather, render
    from storage.runs import mark_died

    config = state(ctx).config()
    engine = open_database(ctx)
    with engine.begin() as connection:
        mark_died(connection)
    with engine.connect() as connection:
        report = gather(connection, config)
    if format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        for part in render(report):
            out.print(part)
        for problem in report.problems:
            err.print(f"warning: {problem}", markup=False)
        if any(d["status"] == "uncertain" for d in report.undelivered):
            err.print("an uncertain digest may have arrived: it is not resent automatically. Check with the "
                      "recipient; if it did not arrive: listener digest --week WEEK --name DIGEST --send "
                      "--resend-uncertain", markup=False)
    if check and not report.healthy:
        raise typer.Exit(EXIT_RUN_ERROR)


@app.command()
def authors(
    ctx: typer.Context,
    topic: Annotated[list[str] | None, typer.Option(help="Only mentions of this topic (repeatable).")] = None,
    kind: Annotated[list[Kind] | None, typer.Option(help="Only topics of this kind (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source (repeatable).")] = None,
    since: Annotated[str | None, typer.Option(help="Mentions newer than: 7d, 12h, 2w or a date.")] = None,
    to: Annotated[str | None, typer.Option(help="Mentions up to this date (exclusive).")] = None,
    sort: Annotated[AuthorSort, typer.Option(help="reach (followers), mentions, engagement or negative (count).")] = AuthorSort.reach,
    limit: Annotated[int, typer.Option(help="At most this many authors.", min=1)] = 50,
    format: Annotated[AuthorFormat, typer.Option(help="json is JSON Lines.")] = AuthorFormat.table,
    escape_formulas: Annotated[bool, typer.Option(help="CSV: prefix cells starting with = + - @ with ' so spreadsheets do not run them (OWASP).")] = True,
) -> None:
    """Who talks about you: authors with reach (followers), mentions, engagement and sentiment.

    Example: listener authors --topic Acme --since 30d --sort reach --limit 20
    """
    from listener.export import authors_table, write_authors
    from storage.queries import AuthorQuery, iter_authors

    config = state(ctx).config()
    known = {t.name.casefold(): t.name for t in config.topics}
    unknown = [name for name in topic or [] if name.casefold() not in known]
    if unknown:
        fail(f"unknown topic {', '.join(map(repr, unknown))}; configured: {', '.join(known.values())}", EXIT_USAGE)
    try:
        query = AuthorQuery(topics=[known[n.casefold()] for n in topic or []], kinds=[str(k) for k in kind or []],
                            sources=source or [], since=parse_since(since) if since else None,
                            until=parse_day(to) if to else None, sort=str(sort), limit=limit)
    except typer.BadParameter as error:
        fail(str(error), EXIT_USAGE)
    engine = open_database(ctx)
    with engine.connect() as connection:
        rows = iter_authors(connection, query)
        if format == "table":
            out.print(authors_table(rows))
        else:
            write_authors(rows, sys.stdout, format, escape_formulas=escape_formulas)
