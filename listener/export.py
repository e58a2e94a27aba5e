"""Mention rows out: JSON Lines, CSV, Parquet and terminal tables (query output: docs/architecture.md).

Every writer consumes an iterator and holds at most one batch: exports of any
size stream from the database cursor to the file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.table import Table
from rich.text import Text

from listener.extras import require

COLUMNS = ("source", "id", "url", "author", "created_at", "text", "lang", "topics",
           "sentiment_label", "sentiment_compound")


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def to_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row in the public shape: ``sentiment`` is ``{label, compound}``."""
    return {
        "source": row["source"],
        "id": row["external_id"],
        "url": row["url"],
        "author": row["author"],
        "created_at": _iso(row["created_at"]),
        "text": row["text"],
        "lang": row["lang"],
        "topics": row["topics"],
        "sentiment": {"label": row["sentiment"], "compound": row["compound"]},
    }


def write_jsonl(rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    for row in rows:
        stream.write(json.dumps(to_record(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def flat(record: dict[str, Any]) -> dict[str, Any]:
    sentiment = record.pop("sentiment")
    record["topics"] = ";".join(record["topics"])
    record["sentiment_label"] = sentiment["label"]
    record["sentiment_compound"] = sentiment["compound"]
    return record


# OWASP "CSV injection": a spreadsheet runs a cell starting with one of these as a
# formula (=HYPERLINK(…) leaks data when clicked); a leading ' makes it plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with every text cell that a spreadsheet would run prefixed with ``'``."""
    return {key: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value
            for key, value in record.items()}


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO, *, escape_formulas: bool = True) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        record = flat(to_record(row))
        writer.writerow(neutralised(record) if escape_formulas else record)
        count += 1
    return count


FORMATS = ("table", "csv", "json", "parquet")
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json", ".parquet": "parquet",
              ".pq": "parquet"}
PARQUET_BATCH = 5_000
MARK_START, MARK_END = "\x02", "\x03"  # as storage.queries.highlights marks matches
HIGHLIGHT_STYLE = "bold black on yellow"


def format_for(path: str | Path) -> str | None:
    """The export format a file name implies, or None."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def require_parquet() -> None:
    """Raise MissingExtra (naming ``pip install 'listener[parquet]'``) when pyarrow is absent."""
    require("pyarrow.parquet", "parquet", "Parquet export")


def parquet_schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        ("source", pa.string()), ("id", pa.string()), ("url", pa.string()), ("author", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")), ("text", pa.string()), ("lang", pa.string()),
        ("topics", pa.list_(pa.string())), ("sentiment_label", pa.string()),
        ("sentiment_compound", pa.float64()), ("author_followers", pa.int64()), ("likes", pa.int64()),
        ("reposts", pa.int64()), ("replies", pa.int64()),
    ])


def write_parquet(rows: Iterable[dict[str, Any]], path: str | Path, *, batch: int = PARQUET_BATCH) -> int:
    """Parquet via pyarrow, one row group per ``batch`` rows: memory stays one batch deep."""
    require_parquet()
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    names = schema.names
    count = 0
    columns: dict[str, list[Any]] = {name: [] for name in names}

    def flush(writer: Any) -> None:
        writer.write_table(pa.table(columns, schema=schema))
        for values in columns.values():
            values.clear()

    with pq.ParquetWriter(str(path), schema) as writer:
        for row in rows:
            values = {
                "source": row["source"], "id": row["external_id"], "url": row["url"], "author": row["author"],
                "created_at": row["created_at"].replace(tzinfo=UTC), "text": row["text"], "lang": row["lang"],
                "topics": list(row["topics"]), "sentiment_label": row["sentiment"],
                "sentiment_compound": row["compound"], "author_followers": row.get("author_followers"),
                "likes": row.get("likes"), "reposts": row.get("reposts"), "replies": row.get("replies"),
            }
            for name in names:
                columns[name].append(values[name])
            count += 1
            if len(columns["id"]) >= batch:
                flush(writer)
        if columns["id"] or count == 0:
            flush(writer)
    return count


def marked_text(value: str, *, limit: int | None = None) -> Text:
    """``value`` (with MARK_START/MARK_END around matches) as a styled Text; user text is never markup.

    With ``limit``, the excerpt starts shortly before the first match so it is visible.
    """
    if limit is not None and len(value) > limit:
        first = value.find(MARK_START)
        start = max(0, first - limit // 4) if first > limit // 2 else 0
        excerpt = value[start:start + limit]
        if excerpt.count(MARK_START) > excerpt.count(MARK_END):
            excerpt += MARK_END
        value = ("…" if start else "") + excerpt + ("…" if start + limit < len(value) else "")
    result = Text()
    for index, part in enumerate(value.split(MARK_START)):
        if index == 0:
            result.append(part)
            continue
        matched, _sep, rest = part.partition(MARK_END)
        result.append(matched, style=HIGHLIGHT_STYLE)
        result.append(rest)
    return result


def table(rows: Iterable[dict[str, Any]], *, width: int = 80, highlights: dict[int, str] | None = None,
          metrics: bool = False) -> Table:
    """A terminal table. Cells are Text objects, so markup in user text is shown, never run.

    ``highlights`` maps mention ids to their text with the search matches marked
    (``storage.queries.highlights``); ``metrics`` adds reach and engagement columns.
    """
    grid = Table(show_lines=False, expand=False)
    names = ["when", "source", "author", "sentiment", "topics"]
    if metrics:
        names += ["reach", "engagement"]
    for name in [*names, "text"]:
        grid.add_column(name, overflow="fold", max_width=width if name == "text" else None)
    for row in rows:
        marked = (highlights or {}).get(row["id"])
        if marked is not None:
            cell = marked_text(" ".join(marked.split()), limit=width * 2)
        else:
            snippet = " ".join(row["text"].split())
            cell = Text(snippet[:width * 2] + ("…" if len(snippet) > width * 2 else ""))
        cells = [
            Text(row["created_at"].strftime("%Y-%m-%d %H:%M")),
            Text(row["source"]),
            Text(row["author"] or ""),
            Text(f"{row['sentiment'] or '—'} {row['compound']:+.2f}" if row["compound"] is not None
                 else (row["sentiment"] or "—")),
            Text(", ".join(row["topics"])),
        ]
        if metrics:
            engagement = sum(row.get(k) or 0 for k in ("likes", "reposts", "replies"))
            followers = row.get("author_followers")
            cells += [Text(f"{followers:,}" if followers is not None else "—"), Text(f"{engagement:,}")]
        grid.add_row(*cells, cell)
    return grid


AUTHOR_COLUMNS = ("source", "author", "name", "followers", "mentions", "engagement", "positive", "negative",
                  "compound", "last_seen")


def author_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {name: row.get(name) for name in AUTHOR_COLUMNS}
    if record["last_seen"] is not None:
        record["last_seen"] = _iso(record["last_seen"])
    for name in ("followers", "mentions", "engagement", "positive", "negative"):
        value = record[name]
        if value is not None:
            record[name] = int(value)
    return record


def write_authors(rows: Iterable[dict[str, Any]], stream: TextIO, format: str, *,
                  escape_formulas: bool = True) -> int:
    count = 0
    if format == "csv":
        writer = csv.DictWriter(stream, fieldnames=AUTHOR_COLUMNS)
        writer.writeheader()
    for row in rows:
        record = author_record(row)
        if format == "csv":
            writer.writerow(neutralised(record) if escape_formulas else record)
        else:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def authors_table(rows: Iterable[dict[str, Any]]) -> Table:
    grid = Table(show_lines=False, expand=False)
    for name in ("source", "author", "followers", "mentions", "engagement", "sentiment", "neg", "last seen"):
        grid.add_column(name, overflow="fold")
    for row in rows:
        record = author_record(row)
        compound = record["compound"]
        grid.add_row(
            Text(record["source"]), Text(record["author"] + (f" ({record['name']})" if record["name"] else "")),
            Text(f"{record['followers']:,}" if record["followers"] is not None else "—"),
            Text(f"{record['mentions']:,}"), Text(f"{record['engagement'] or 0:,}"),
            Text(f"{compound:+.2f}" if compound is not None else "—"), Text(str(record["negative"] or 0)),
            Text((record["last_seen"] or "")[:16].replace("T", " ")),
        )
    return grid
