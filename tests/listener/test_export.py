"""listener.export: formats, Parquet in batches, highlights that never run user markup."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pyarrow.parquet as pq
from rich.console import Console

from listener.export import (
    HIGHLIGHT_STYLE,
    MARK_END,
    MARK_START,
    format_for,
    marked_text,
    table,
    write_csv,
    write_jsonl,
    write_parquet,
)


def row(n: int, text: str = "hello") -> dict:
    return {"id": n, "source": "x", "external_id": str(n), "url": None, "author": "a", "author_followers": 10,
            "created_at": datetime(2026, 1, 1, 12, 0), "title": None, "text": text, "lang": "en",
            "sentiment": "positive", "compound": 0.5, "likes": 1, "reposts": 2, "replies": 3, "topics": ["Acme"]}


def test_format_from_extension():
    assert [format_for(n) for n in ("a.csv", "a.JSONL", "a.json", "a.parquet", "a.txt")] == [
        "csv", "json", "json", "parquet", None]


def test_jsonl_and_csv_keep_the_public_columns():
    stream = io.StringIO()
    write_jsonl([row(1)], stream)
    assert json.loads(stream.getvalue())["sentiment"] == {"label": "positive", "compound": 0.5}
    stream = io.StringIO()
    write_csv([row(1)], stream)
    assert stream.getvalue().splitlines()[0] == (
        "source,id,url,author,created_at,text,lang,topics,sentiment_label,sentiment_compound")


def test_parquet_is_written_in_row_groups_from_an_iterator(tmp_path):
    consumed = []

    def rows():
        for n in range(25):
            consumed.append(n)
            yield row(n)

    assert write_parquet(rows(), tmp_path / "x.parquet", batch=10) == 25
    meta = pq.ParquetFile(tmp_path / "x.parquet").metadata
    assert (meta.num_rows, meta.num_row_groups) == (25, 3)
    table_ = pq.read_table(tmp_path / "x.parquet")
    assert table_.column("created_at").to_pylist()[0].isoformat() == "2026-01-01T12:00:00+00:00"


def test_empty_parquet_has_the_schema(tmp_path):
    assert write_parquet([], tmp_path / "empty.parquet") == 0
    assert "sentiment_label" in pq.read_table(tmp_path / "empty.parquet").column_names


def test_marked_text_styles_matches_and_keeps_markup_literal():
    text = marked_text(f"[bold]x[/bold] {MARK_START}acme{MARK_END} <b>")
    assert text.plain == "[bold]x[/bold] acme <b>"
    assert [(text.plain[s.start:s.end], s.style) for s in text.spans] == [("acme", HIGHLIGHT_STYLE)]


def test_long_text_is_cut_around_the_first_match():
    text = marked_text("a " * 200 + f"{MARK_START}acme{MARK_END} end", limit=40)
    assert "acme" in text.plain and text.plain.startswith("…")


def test_table_shows_user_text_verbatim():
    console = Console(width=300, record=True)
    console.print(table([row(1, "[red]alert[/red] acme")], highlights={1: f"[red]alert[/red] {MARK_START}acme{MARK_END}"}))
    assert "[red]alert[/red] acme" in console.export_text()
