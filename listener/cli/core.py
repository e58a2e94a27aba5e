"""Everyday commands: init, import, collect, mentions, db upgrade."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import Engine

from listener.cli.app import (
    EXIT_OK,
    EXIT_RUN_ERROR,
    EXIT_USAGE,
    app,
    db_app,
    err,
    fail,
    model_errors,
    operation_errors,
    out,
    state,
    summary,
)
from listener.cli.options import ImportFormat, Kind, OutputFormat, Sentiment, Sort
from storage import db

if TYPE_CHECKING:
    from listener.importer import ImportReport
    from listener.sentiment.pending import ScoreReport

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config.example.toml"


def open_database(ctx: typer.Context) -> Engine:
    """The database for the read-only commands (the others go through :mod:`listener.operations`)."""
    from listener.operations import open_engine

    with operation_errors("nothing done"):
        return open_engine(state(ctx).config())


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path("listener.toml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter config (a copy of config.example.toml) to edit.

    Example: listener init && $EDITOR listener.toml
    """
    if path.exists() and not force:
        fail(f"{path} already exists (use --force to overwrite it)", EXIT_USAGE)
    from importlib.resources import files

    path.write_text(files("listener").joinpath("data/config.example.toml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    summary.print(f"wrote {path}: set your topics and sources, then run `listener collect`")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSON Lines (.jsonl) or CSV (.csv) file.", exists=False)],
    format: Annotated[ImportFormat | None, typer.Option(help="JSON Lines or CSV (default: from the extension).")] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help="CSV column map FIELD=COLUMN, e.g. --map text=body.")] = None,
    source: Annotated[str | None, typer.Option(help="Source name for records without one.")] = None,
) -> None:
    """Import mentions from a file. Importing the same file twice changes nothing.

    Example: listener import mentions.jsonl
    """
    from connectors.file import NotJsonLines

    column_map = {}
    for item in map_ or []:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            fail(f"--map {item!r}: write FIELD=COLUMN, e.g. --map text=body", EXIT_USAGE)
        column_map[field.strip()] = column.strip()
    if not file.is_file():
        fail(f"{file}: no such file", EXIT_USAGE)
    from listener import operations
    from listener.progress import progress

    with operation_errors("nothing imported"), progress(quiet=state(ctx).quiet) as bar:
        try:
            outcome = operations.import_file(
                state(ctx).config(), file, format=format, column_map=column_map, source=source,
                on_batch=lambda n: bar.advance(f"import {file.name}", n), on_score=bar.scoring)
        except NotJsonLines as error:
            fail(str(error), EXIT_USAGE)
        except (OSError, UnicodeDecodeError) as error:
            fail(f"{file}: cannot be read: {error}")
    report = outcome.imported
    for bad in report.bad[:50]:
        err.print(f"{file}: {bad}", markup=False)
    if len(report.bad) > 50:
        err.print(f"… and {len(report.bad) - 50} more bad lines", markup=False)
    _warn_about(file, report)
    summary.print(f"{report.records} records read: {report.new} new, {report.already_stored} already stored, "
              f"{report.repeated} repeated ids (last copy kept), {report.unmatched} matching no topic; "
              f"{len(report.bad)} bad lines skipped")
    _say_scored(outcome.score)
    raise typer.Exit(EXIT_RUN_ERROR if report.bad else EXIT_OK)


def _warn_about(file: Path, report: ImportReport) -> None:
    """What was stored but deserves a look: odd years, characters removed."""
    if report.odd_dates:
        lines = ", ".join(map(str, report.odd_dates[:10])) + (" …" if len(report.odd_dates) > 10 else "")
        err.print(f"{file}: warning: {len(report.odd_dates)} record(s) dated before 1990 or after next year "
                  f"(lines {lines}); stored as given — check the created_at column", markup=False)
    if report.fitted:
        err.print(f"{file}: warning: {report.fitted} record(s) had NUL characters removed (or over-long "
                  "fields cut) so the database could store them", markup=False)


def _say_scored(report: ScoreReport) -> None:
    summary.print(f"scored {report.scored} mentions ({report.unscored} not scored for language)")


@app.command()
def collect(
    ctx: typer.Context,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only this connector (repeatable).")] = None,
    no_score: Annotated[bool, typer.Option("--no-score", help="Skip sentiment scoring after collecting.")] = False,
) -> None:
    """Run every enabled connector, store new mentions, then score them. Safe to run from cron.

    Example: listener collect --only reddit
    """
    from listener import operations
    from listener.progress import progress

    config = state(ctx).config()
    if not config.connector_settings:
        fail("no connectors configured: add a [connectors.NAME] section (see config.example.toml)", EXIT_USAGE)
    with operation_errors("nothing done"), progress(quiet=state(ctx).quiet) as bar:
        try:
            outcome = operations.collect(config, only=only, score=not no_score, on_page=bar.on_page,
                                         on_score=bar.scoring)
        except KeyError as error:
            fail(f"--only: unknown or unconfigured connector {error}", EXIT_USAGE)
    report = outcome.collect
    for item in report.connectors:
        line = (f"{item.name}: {item.status}, {item.fetched} fetched, {item.new} new, {item.skipped} skipped, "
                f"{item.requests} requests")
        summary.print(line + (f" — {item.error}" if item.error else ""), markup=False)
    if outcome.score is not None:
        _say_scored(outcome.score)
    if report.failed:
        fail(f"{len(report.failed)} connector(s) failed: {', '.join(r.name for r in report.failed)}")




def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``7d``, ``12h``, ``2w`` or an ISO date/time, as an aware UTC datetime."""
    from listener.selection import SelectionError
    from listener.selection import parse_since as parse

    try:
        return parse(value, now)
    except SelectionError as error:
        raise typer.BadParameter(str(error)) from None


def parse_day(value: str) -> datetime:
    from listener.selection import SelectionError
    from listener.selection import parse_day as parse

    try:
        return parse(value)
    except SelectionError as error:
        raise typer.BadParameter(str(error)) from None


@app.command()
def mentions(
    ctx: typer.Context,
    topic: Annotated[list[str] | None, typer.Option(help="Only this topic (repeatable).")] = None,
    kind: Annotated[list[Kind] | None, typer.Option(help="Only topics of this kind (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source, e.g. x, reddit (repeatable).")] = None,
    author: Annotated[list[str] | None, typer.Option(help="Only this author handle, e.g. @acme (repeatable).")] = None,
    since: Annotated[str | None, typer.Option(help="Newer than: 7d, 12h, 2w or a date.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="From this date (inclusive).")] = None,
    to: Annotated[str | None, typer.Option(help="Up to this date (exclusive).")] = None,
    sentiment: Annotated[Sentiment | None, typer.Option(help="Only this sentiment (unscored: a language listener does not score).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code, e.g. en, fr.")] = None,
    search: Annotated[str | None, typer.Option(help="Full-text search in mention text (every word must match); matches are highlighted in the table.")] = None,
    sort: Annotated[Sort, typer.Option(help="newest; reach (author followers); engagement (likes+reposts+replies); negative (most negative first).")] = Sort.newest,
    limit: Annotated[int | None, typer.Option(help="At most this many (default 50 for table, all otherwise).", min=0)] = None,
    page: Annotated[int | None, typer.Option(help="Page N (1-based) of --limit rows.", min=1)] = None,
    offset: Annotated[int | None, typer.Option(help="Skip this many rows first.", min=0)] = None,
    format: Annotated[OutputFormat | None, typer.Option(help="json is JSON Lines (default: from --output's extension, else table).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (.csv, .jsonl/.json, .parquet) instead of the terminal.", dir_okay=False)] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --output if it exists (never the database or config).")] = False,
    escape_formulas: Annotated[bool, typer.Option(help="CSV: prefix cells starting with = + - @ with ' so spreadsheets do not run them (OWASP).")] = True,
    explain: Annotated[bool, typer.Option("--explain", help="Table: list the words that pushed each mention's score.")] = False,
) -> None:
    """Query stored mentions: filter, search, sort, page and export. Large exports stream.

    Example: listener mentions --topic Acme --since 7d --sentiment negative --format csv ;
    listener mentions --search "refund delay" --sort reach --limit 20 ;
    listener mentions --kind competitor --since 30d --output competitors.parquet
    """
    from listener.export import format_for, require_parquet, table, write_parquet
    from listener.extras import MissingExtra
    from listener.selection import SelectionError, mention_query
    from storage.queries import highlights, iter_mentions

    if format is None:
        implied = format_for(output) if output else "table"
        if not implied:
            fail(f"cannot tell the format from {output}; use --format csv, json or parquet", EXIT_USAGE)
        format = OutputFormat(implied)
    if format == "parquet" and output is None:
        fail("--format parquet needs --output FILE", EXIT_USAGE)
    if format == "parquet":
        try:
            require_parquet()
        except MissingExtra as error:
            fail(str(error), EXIT_USAGE)
    if format == "table" and output is not None:
        fail("--output needs --format csv, json or parquet (or a .csv/.jsonl/.parquet file name)", EXIT_USAGE)
    if page is not None and offset is not None:
        fail("use --page or --offset, not both", EXIT_USAGE)
    config = state(ctx).config()
    if output is not None:
        from listener.outputs import RefusedOutput, check_output, protected

        try:
            check_output(output, protected(config.storage.url, state(ctx).config_file()), force=force)
        except RefusedOutput as error:
            fail(str(error), EXIT_USAGE)
    if limit is None and (format == "table" or page is not None):
        limit = 50
    skip = offset or 0
    if page is not None:
        skip = (page - 1) * (limit or 50)
    try:
        query = mention_query(
            config, topic=topic, kind=kind, source=source, author=author,
            since=since if since else from_, until=to, sentiment=sentiment, lang=lang,
            search=search, sort=sort, limit=limit, offset=skip,
        )
    except SelectionError as error:
        fail(str(error), EXIT_USAGE)
    engine = open_database(ctx)
    with engine.connect() as connection:
        rows = iter_mentions(connection, query)
        if format == "table":
            found = list(rows)
            marks = highlights(connection, search, [row["id"] for row in found]) if search else None
            out.print(table(found, highlights=marks, metrics=sort in ("reach", "engagement")))
            if not found:
                err.print("no mentions match", markup=False)
            elif explain:
                _explain(connection, found, config)
            return
        if format == "parquet":
            count = write_parquet(rows, output)
        elif output is not None:
            try:
                with output.open("w", encoding="utf-8", newline="") as stream:
                    count = _write_text(rows, stream, format, escape_formulas)
            except OSError as error:
                fail(f"cannot write {output}: {error}")
        else:
            count = _write_text(rows, sys.stdout, format, escape_formulas)
    if output is not None and not state(ctx).quiet:
        err.print(f"wrote {count} mentions to {output}", markup=False)


def _explain(connection, found: list[dict], config) -> None:
    from listener.sentiment.explain import describe, explain_mentions

    with model_errors():
        why = explain_mentions(connection, found, config)
    out.print("\nWords that pushed each score (scorer's weights):", markup=False)
    for row in found:
        out.print(f"  {row['source']}:{row['external_id']} {row['sentiment'] or 'not scored'}: "
                  f"{describe(why[row['id']])}", markup=False)


def _write_text(rows, stream, format: str, escape_formulas: bool) -> int:
    from listener.export import write_csv, write_jsonl

    if format == "json":
        return write_jsonl(rows, stream)
    return write_csv(rows, stream, escape_formulas=escape_formulas)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending schema migrations (also done automatically on first use).

    Example: listener db upgrade
    """
    config = state(ctx).config()
    engine = db.create(config.storage.url, upgrade=False)
    try:
        applied = db.upgrade_schema(engine)
    except db.StorageError as error:
        engine.dispose()
        fail(str(error))
    revision = db.current_revision(engine)
    summary.print(f"{db.redact_url(config.storage.url)}: {'upgraded to' if applied else 'already at'} revision {revision}")
