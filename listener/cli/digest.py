"""``listener digest`` (write or send the weekly digest) and ``listener alerts``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from listener.cli.app import (
    EXIT_RUN_ERROR,
    EXIT_USAGE,
    app,
    err,
    fail,
    operation_errors,
    out,
    state,
    summary,
)


@app.command()
def digest(
    ctx: typer.Context,
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: the last full week).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write <name>.html, .txt and .eml here.",
                                                 file_okay=False)] = None,
    send: Annotated[bool, typer.Option("--send", help="Email each recipient (once per week).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what --send would do; send nothing.")] = False,
    name: Annotated[list[str] | None, typer.Option("--name", help="Only this digest (repeatable).")] = None,
    archive: Annotated[Path | None, typer.Option(help="Where sent messages are kept (default: next to the database).",
                                                 file_okay=False)] = None,
    resend_uncertain: Annotated[bool, typer.Option("--resend-uncertain", help="With --send: also send the uncertain deliveries again (check first that they did not arrive).")] = False,
) -> None:
    """Build the weekly digest of each [[digests]] entry: write it to files and/or email it.

    A recipient never gets the same week twice; a failed send is retried on the next run. An
    uncertain one (the connection dropped after the server had the whole message, or the run
    died while sending) is not: check with the recipient, then use --resend-uncertain.

    Example: listener digest --week 2026-W47 --out digests/ ; listener digest --send
    """
    from listener import operations
    from listener.analysis.period import PeriodError, iso_week
    from listener.digest import select_digests

    config = state(ctx).config()
    if not (out_dir or send or dry_run):
        fail("nothing to do: give --out DIR to write files, --send to email, or --dry-run", EXIT_USAGE)
    if not config.digests:
        fail("no [[digests]] in the configuration; add one (see config.example.toml)", EXIT_USAGE)
    try:
        period = iso_week(week)
        select_digests(config, name)
    except (PeriodError, KeyError) as error:
        fail(str(error).strip("'\""), EXIT_USAGE)
    if out_dir:
        with operation_errors("nothing written"):
            written = operations.write_digests(config, period, out_dir, names=name)
        for path in written:
            summary.print(f"wrote {path}")
    if not (send or dry_run):
        return
    with operation_errors("nothing sent"):  # one --send at a time per database (cron safety)
        report = operations.send_digests(config, period, names=name, dry_run=dry_run, archive_dir=archive,
                                         resend_uncertain=resend_uncertain)
    for item in report.deliveries:
        line = f"{item.digest} → {item.recipient} ({period.label}): {item.status}"
        if item.status == "dry-run":
            line = f"{item.digest} → {item.recipient} ({period.label}): would send"
            if item.attempts:
                line += f" (retry; {item.attempts} failed attempt(s), last: {item.error})"
        elif item.status == "skipped":
            line += " already sent"
        elif item.status == "sent" and item.archive_path:
            line += f", archived in {item.archive_path}"
        if item.status in ("failed", "uncertain"):
            err.print(f"error: {line} — {item.error}", markup=False)
        elif not state(ctx).quiet:
            out.print(line, markup=False)
    if report.failed:
        raise typer.Exit(EXIT_RUN_ERROR)


@app.command()
def alerts(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the alerts; send and record nothing.")] = False,
) -> None:
    """Send spike and high-reach negative-mention alerts (cooldown and daily cap apply).

    Example: listener alerts --dry-run
    """
    from listener import operations

    config = state(ctx).config()
    if not config.alerts.enabled and not dry_run:
        fail("alerts are disabled; set [alerts] enabled = true (and recipients or webhook_url)",
             EXIT_USAGE)
    if not config.alerts.recipients and config.alerts.webhook_url is None:
        fail("[alerts] has no recipients and no webhook_url; add one of them", EXIT_USAGE)
    with operation_errors("nothing sent"):  # like the scheduled check: locked, recorded in `runs`
        report = operations.send_alerts(config, dry_run=dry_run)
    for line in report.lines():
        out.print(line, markup=False)
    for problem in report.errors:
        err.print(f"error: {problem}", markup=False)
    if report.errors:
        raise typer.Exit(EXIT_RUN_ERROR)
