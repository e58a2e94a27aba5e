"""Analysis commands: score, trends, eval."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from listener.cli.app import (
    EXIT_USAGE,
    app,
    fail,
    model_errors,
    operation_errors,
    out,
    state,
    summary,
)
from listener.cli.core import open_database
from listener.cli.options import ReportFormat


def _sync_topics(engine, config) -> None:
    """Make sure configured topics exist in the database (a fresh DB has none)."""
    from storage.mentions import sync_topics

    with engine.begin() as connection:
        sync_topics(connection, [t.model_dump() for t in config.topics])


@app.command()
def score(
    ctx: typer.Context,
    rescore: Annotated[bool, typer.Option("--rescore", help="Score every mention again (after a lexicon change).")] = False,
) -> None:
    """Score the sentiment of mentions not scored yet (all of them with --rescore).

    Example: listener score --rescore
    """
    from listener import operations

    with operation_errors("nothing scored"):
        report = operations.score(state(ctx).config(), rescore=rescore)
    verb = "rescored" if rescore else "scored"
    summary.print(f"{report.mentions} mentions {verb} in {report.seconds:.1f}s: "
              f"{report.scored} with a sentiment, {report.unscored} not scored (language), "
              f"{report.reused} reused the score of an identical text "
              f"({report.distinct} distinct texts scored)", markup=False)
    if report.labels:
        summary.print("labels: " + ", ".join(f"{k} {v}" for k, v in sorted(report.labels.items())),
                  markup=False)
    if report.unscored_by_lang:
        summary.print("not scored, by language: " + ", ".join(
            f"{lang} {count}" for lang, count in report.unscored_by_lang.items()), markup=False)


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.0%}" if signed else f"{value:.0%}"


def _net(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _short(text: str, width: int = 90) -> Text:
    flat = " ".join(str(text).split())
    return Text(flat if len(flat) <= width else flat[: width - 1] + "…")


class TrendsFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def trends(
    ctx: typer.Context,
    topic: Annotated[list[str] | None, typer.Option(help="Topic (repeatable; default: every topic).")] = None,
    week: Annotated[list[str] | None, typer.Option(help="ISO week, e.g. 2026-W47 (repeatable; default: the last full week).")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First ISO week of a range (with --to).")] = None,
    to: Annotated[str | None, typer.Option(help="Last ISO week of a range, included.")] = None,
    digest: Annotated[str | None, typer.Option(help="The topics of this [[digests]] entry, with its share of voice: the figures its email shows.")] = None,
    format: Annotated[TrendsFormat, typer.Option(help="text (tables) or json (one record per topic and week).")] = TrendsFormat.text,
    compare: Annotated[bool, typer.Option(help="Compare with the brand and competitor topics of the config.")] = True,
    limit: Annotated[int, typer.Option(help="Rows per list.")] = 5,
) -> None:
    """Trends per topic and ISO week: stories, sentiment, share of voice, spikes, themes, terms, influencers, conversations.

    --format json prints, per topic and week: topic, kind, week, mentions, stories, authors,
    reach, engagement, share_of_voice, sentiment {positive, neutral, negative, unscored, net,
    net_adjusted, net_interval}, previous (the same for the week before), spikes, themes; the
    digest is rendered from exactly these records.

    Example: listener trends --topic Acme --week 2026-W47 --format json
    """
    from listener.analysis import period
    from listener.analysis.common import UnknownTopicError

    config = state(ctx).config()
    voiced = [t.name for t in config.topics if t.kind in ("brand", "competitor")]
    try:
        if digest is not None:
            from listener.digest import select_digests

            (entry,) = select_digests(config, [digest])
            scope = [config.topic(name).name for name in entry.topics]
            voiced = [name for name in scope if config.topic(name).kind in ("brand", "competitor")]
        else:
            scope = [t.name for t in config.topics]
        chosen = [config.topic(name).name for name in topic] if topic else scope
    except KeyError as error:
        fail(f"{str(error).strip(chr(39))}; configured topics: "
             f"{', '.join(t.name for t in config.topics)}", EXIT_USAGE)
    try:
        spans = period.iso_weeks(week or [], first=from_, last=to)
    except period.PeriodError as error:
        fail(str(error), EXIT_USAGE)
    engine = open_database(ctx)
    _sync_topics(engine, config)
    try:
        with engine.connect() as connection:
            if format is TrendsFormat.json:
                _print_json(connection, config, chosen, voiced, spans)
                return
            listed = list(chosen)
            if compare:
                listed += [name for name in voiced if name not in listed]
            for span in spans:
                _show_trends(connection, chosen, listed, span, limit, config)
    except UnknownTopicError as error:
        fail(str(error), EXIT_USAGE)


def _print_json(connection, config, chosen, voiced, spans) -> None:
    from listener.analysis.weekly import week_records

    records = week_records(connection, config, chosen, spans, voiced=voiced)
    sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")


def _show_trends(connection, chosen, listed, span, limit, config) -> None:
    from listener.analysis import conversations, influencers, spikes, terms, trends

    out.print(f"[bold]{span.label}[/] ({span.start:%Y-%m-%d} – {span.end:%Y-%m-%d}, UTC, end exclusive)")

    from listener.analysis.weekly import topic_weeks

    table = Table(title="Topics (vs the week before; stories: copies of one story count once)",
                  title_justify="left")
    for name in ("topic", "stories (prev)", "mentions", "change", "authors", "reach",
                 "engagement", "pos/neu/neg/not scored", "net est. [90% interval] (raw)",
                 "share of voice (prev)"):
        table.add_column(name, justify="left" if name == "topic" else "right")
    for s in topic_weeks(connection, listed, span, voiced=listed,
                         themes=[(t.name, t.query) for t in config.themes]):
        f, p = s.sentiment, s.previous
        interval = f"[{_net(f.net_interval[0])}, {_net(f.net_interval[1])}]" if f.net_interval else ""
        if f.net_interval and f.wide:
            interval += " wide"  # fewer than 30 scored stories
        table.add_row(Text(f"{s.topic} ({s.kind})"), f"{s.stories} ({p.stories if p else 0})",
                      str(s.mentions), _pct(s.change, True), str(s.authors), f"{s.reach:,}",
                      f"{s.engagement:,}",
                      f"{f.positive}/{f.neutral}/{f.negative}/{f.unscored}",
                      f"{_net(f.net_adjusted)} {interval} ({_net(f.net)})",
                      f"{_pct(s.share_of_voice)} ({_pct(p.share_of_voice if p else None)})")
    out.print(table)

    series = trends.daily_series(connection, chosen, span)
    daily = Table(title="Per day", title_justify="left")
    for name in ("day", "topic", "volume", "positive", "negative", "not scored", "net"):
        daily.add_column(name, justify="left" if name in ("day", "topic") else "right")
    for row in series.itertuples(index=False):
        daily.add_row(str(row.day), Text(row.topic), str(row.volume), str(row.positive),
                      str(row.negative), str(row.unscored), _net(row.net_sentiment))
    out.print(daily)

    for label in ("positive", "negative"):
        rows = trends.top_mentions(connection, chosen, span, label=label, limit=limit)
        _mention_table(f"Top {label}", rows)

    found = spikes.detect_spikes(connection, chosen, span)
    if found:
        table = Table(title="Spikes (median + k·MAD of the previous 28 days)", title_justify="left")
        for name in ("day", "topic", "observed", "baseline", "MAD", "threshold", "top post"):
            table.add_column(name)
        for s in found:
            post = s.top_posts[0] if s.top_posts else {}
            table.add_row(str(s.day), Text(s.topic), str(s.observed), f"{s.baseline:g}",
                          f"{s.mad:g}", f"{s.threshold:g}",
                          _short(post.get("url") or post.get("text") or "", 60))
        out.print(table)
    else:
        out.print("Spikes: none this week.")

    for name in chosen:
        emerging = terms.emerging_terms(connection, name, span, limit=limit * 2)
        table = Table(title=f"Emerging terms — {name} (vs the 4 weeks before)",
                      title_justify="left")
        for column in ("term", "this week", "4 weeks before", "score"):
            table.add_column(column, justify="left" if column == "term" else "right")
        for t in emerging:
            table.add_row(Text(t.term), str(t.count), str(t.previous_count), f"{t.score:.2f}")
        out.print(table if emerging else Text(f"Emerging terms — {name}: none"))

        people = influencers.top_influencers(connection, [name], span, limit=limit * 2)
        table = Table(title=f"Influencers — {name}", title_justify="left")
        for column in ("author", "source", "followers", "mentions", "engagement", "net", "new",
                       "link"):
            table.add_column(column)
        for p in people:
            table.add_row(Text(p.author), p.source,
                      "unknown" if p.followers is None else f"{p.followers:,}", str(p.mentions),
                          f"{p.engagement:,}", _net(p.net_sentiment), "new" if p.is_new else "",
                          Text(p.url or ""))
        out.print(table if people else Text(f"Influencers — {name}: none"))

    from reports.text import reason_text

    answer = conversations.to_answer(connection, chosen, span.start, until=span.end,
                                     limit=limit * 2, cutoff=span.length)
    table = Table(title="To answer (highest priority first; see `listener trends --help`)",
                  title_justify="left")
    for column in ("priority", "when", "author", "why", "text", "link"):
        table.add_column(column)
    for c in answer:
        table.add_row(f"{c.priority:.2f}", f"{c.created_at:%Y-%m-%d %H:%M}", Text(c.author or ""),
                      Text(reason_text(c.reasons, lang="en")), _short(c.text, 60), Text(c.url or ""))
    out.print(table if answer else Text("To answer: nothing."))


def _mention_table(title: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        out.print(Text(f"{title}: none"))
        return
    table = Table(title=title, title_justify="left")
    for column in ("compound", "author", "followers", "source", "text", "link"):
        table.add_column(column)
    for m in rows:
        table.add_row(f"{m['compound']:+.2f}", Text(m["author"] or ""), f"{m['followers']:,}",
                      m["source"], _short(m["text"], 70), Text(m["url"] or ""))
    out.print(table)


@app.command("eval")
def eval_(
    ctx: typer.Context,
    labels: Annotated[Path | None, typer.Option("--labels", help="CSV with text,label or source,id,label.",
                                                dir_okay=False)] = None,
    stored: Annotated[bool, typer.Option("--stored", help="Use the labels stored by listener label.")] = False,
    format: Annotated[ReportFormat, typer.Option(help="A table, or JSON for scripts.")] = ReportFormat.table,
) -> None:
    """Score labelled texts through the same path as stored mentions and report how well it agrees.

    Example: listener eval --labels labelled.csv --format json
    """
    from listener.analysis.evaluate import LabelsError, evaluate, read_labels, stored_labels

    if (labels is None) == (not stored):
        fail("give --labels FILE or --stored (the labels of listener label), not both", EXIT_USAGE)
    st = state(ctx)
    config = None
    engine = None
    if stored or _needs_database(labels):
        config = st.config()
        engine = open_database(ctx)
    else:
        config = _optional_config(st)
    queries = None
    try:
        if engine is not None:
            with engine.connect() as connection:
                items = stored_labels(connection) if stored else read_labels(labels, connection)
            from sqlalchemy import select

            from storage.schema import topics

            with engine.connect() as connection:
                queries = dict(connection.execute(select(topics.c.id, topics.c.query)).all())
        else:
            items = read_labels(labels)
            if config is not None:
                queries = {t.name: t.query for t in config.topics}
    except LabelsError as error:
        fail(str(error))
    if not items:
        fail(f"{labels}: no labelled rows" if labels else "no labels stored yet: label some with listener label", EXIT_USAGE)

    with model_errors():
        result = evaluate(items, config=config, queries=queries)
    if format == "json":
        sys.stdout.write(json.dumps(result.as_dict(), indent=None, sort_keys=True) + "\n")
        return
    out.print(f"n = {result.n}   accuracy = {result.accuracy:.3f}   macro-F1 = {result.macro_f1:.3f}"
              f"   unscored = {result.unscored}"
              + (f"   accuracy on scored = {result.accuracy_scored:.3f}"
                 if result.accuracy_scored is not None else ""), markup=False)
    table = Table(title="Per class", title_justify="left")
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for c in ("positive", "neutral", "negative"):
        table.add_row(c, f"{result.precision[c]:.3f}", f"{result.recall[c]:.3f}",
                      f"{result.f1[c]:.3f}", str(result.support[c]))
    out.print(table)
    matrix = Table(title="Confusion (rows: human label, columns: predicted)", title_justify="left")
    matrix.add_column("")
    predicted = ("positive", "neutral", "negative", "unscored")
    for p in predicted:
        matrix.add_column(p, justify="right")
    for t, row in result.confusion.items():
        matrix.add_row(t, *(str(row[p]) for p in predicted))
    out.print(matrix)
    if result.languages:
        out.print("languages: " + ", ".join(f"{k} {v}" for k, v in result.languages.items()),
                  markup=False)


def _needs_database(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            header = handle.readline().lower()
    except (OSError, UnicodeDecodeError):
        return False  # read_labels reports it
    columns = {c.strip() for c in header.split(",")}
    return {"source", "id"} <= columns and "text" not in columns


def _optional_config(st) -> Any:
    """The config when one is found (for lexicon overrides and topic masking), else None."""
    from listener import config as config_module

    path = config_module.find(st.config_path)
    if path is None:
        return None
    return st.config()
