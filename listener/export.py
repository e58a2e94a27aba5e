"""Mention rows out: JSON Lines, CSV and terminal tables (DESIGN.md query output)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.table import Table
from rich.text import Text

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


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(flat(to_record(row)))
        count += 1
    return count


def table(rows: Iterable[dict[str, Any]], *, width: int = 80) -> Table:
    """A terminal table. Cells are Text objects, so markup in user text is shown, never run."""
    grid = Table(show_lines=False, expand=False)
    for name in ("when", "source", "author", "sentiment", "topics", "text"):
        grid.add_column(name, overflow="fold", max_width=width if name == "text" else None)
    for row in rows:
        snippet = " ".join(row["text"].split())
        grid.add_row(
            Text(row["created_at"].strftime("%Y-%m-%d %H:%M")),
            Text(row["source"]),
            Text(row["author"] or ""),
            Text(f"{row['sentiment'] or '—'} {row['compound']:+.2f}" if row["compound"] is not None
                 else (row["sentiment"] or "—")),
            Text(", ".join(row["topics"])),
            Text(snippet[:width * 2] + ("…" if len(snippet) > width * 2 else "")),
        )
    return grid
