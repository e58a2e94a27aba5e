"""Import files: JSON Lines (one mention per line) or CSV with a column map.

Used by ``listener import`` and by the ``file`` connector, which watches a list
of files and reads only what was appended since the last run (its cursor is
the byte offset, committed with the lines it covers).
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search
from connectors.errors import FatalError, SkippableRecord
from connectors.records import mention_from_record

PAGE_SIZE = 1000
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class Line(NamedTuple):
    """One line of the file, parsed or explained. A named tuple, immutable like a frozen
    dataclass but made three times faster (one per line of every import)."""

    number: int
    end_offset: int  # byte offset just after this line
    mention: Mention | None
    error: BadLine | None


def detect_format(path: Path) -> str:
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def read_lines(
    path: Path,
    *,
    format: str | None = None,
    column_map: Mapping[str, str] | None = None,
    default_source: str | None = None,
    offset: int = 0,
    complete_lines_only: bool = False,
) -> Iterator[Line]:
    """Every record of the file from ``offset`` on, each parsed or explained.

    ``complete_lines_only`` leaves an unterminated last line for next time: a
    watched file may be in the middle of being written.
    """
    format = format or detect_format(path)
    if format == "csv":
        with path.open(encoding="utf-8-sig", newline="") as text:  # -sig: a BOM is not a column name
            yield from _csv_lines(text, column_map or {}, default_source)
        return
    with path.open("rb") as handle:
        handle.seek(offset)
        if offset == 0:
            _refuse_json_array(path, handle)
        yield from _jsonl_lines(handle, offset, default_source, complete_lines_only)


class NotJsonLines(ValueError):
    """The whole file is in another format; the message says how to convert it."""


def _refuse_json_array(path: Path, handle: Any) -> None:
    start = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    handle.seek(0)
    if start.startswith(b"["):
        raise NotJsonLines(
            f"{path} holds a JSON array, but listener imports JSON Lines: one JSON object per line. "
            f"Convert it with: jq -c '.[]' {path} > {path.with_suffix('.jsonl')}"
        )


def _jsonl_lines(
    handle: Any, offset: int, default_source: str | None, complete_lines_only: bool
) -> Iterator[Line]:
    position = offset
    for number, raw in enumerate(handle, start=1):
        if complete_lines_only and not raw.endswith(b"\n"):
            return
        position += len(raw)
        if not raw or raw.isspace():  # a blank line (isspace: no stripped copy of each line)
            yield Line(number, position, None, None)
            continue
        try:
            record = _parse(raw)
            yield Line(number, position, mention_from_record(record, default_source=default_source), None)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            yield Line(number, position, None, BadLine(number, f"not valid JSON ({error})"))
        except SkippableRecord as error:
            yield Line(number, position, None, BadLine(number, str(error)))


def _parse(raw: bytes) -> Any:
    """One JSON line: orjson, which is several times faster, where it reads it exactly as ``json`` does.

    ``json`` reads what orjson refuses (NaN, a byte order mark, a lone surrogate), so
    such a line gets the same record, or error, as before; and orjson reads an integer
    beyond 64 bits as a float, so a record holding a float is read again to keep its digits.
    """
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        record = json.loads(raw)
        _refuse_lone_surrogates(record)  # orjson refuses them: only this path can hold one
        return record
    if type(record) is dict and float in map(type, record.values()):
        return json.loads(raw)
    return record


def _refuse_lone_surrogates(record: Any) -> None:
    """A ``\\ud800``-style escape without its pair is no character: no database can store it."""
    try:
        json.dumps(record, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise SkippableRecord("a string holds a lone surrogate escape (\\ud800 to \\udfff), which is not "
                              "text: the file's writer split a character in two") from None


def _csv_lines(text: Any, column_map: Mapping[str, str], default_source: str | None) -> Iterator[Line]:
    reader = csv.DictReader(text, dialect=_sniff(text))
    for row in reader:
        number = reader.line_num
        record = {field: row.get(column) for field, column in column_map.items()}
        for column, value in row.items():
            if column is not None and column not in column_map.values():
                record.setdefault(column, value)
        try:
            mention = mention_from_record(record, default_source=default_source)
            yield Line(number, 0, mention, None)
        except SkippableRecord as error:
            yield Line(number, 0, None, BadLine(number, str(error)))


def _sniff(text: Any) -> type[csv.Dialect] | str:
    """The file's delimiter (``,`` ``;`` tab or ``|``): spreadsheets in many locales write ``;``."""
    sample = text.read(SNIFF_BYTES)
    text.seek(0)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:  # one column, or too irregular to tell: the standard comma
        return "excel"


class FileSettings(ConnectorSettings):
    paths: list[str] = []
    source: str | None = None  # when records have no "source"
    max_requests: int | None = None


class FileConnector(Connector):
    """Watches JSON Lines files and reads what was appended since the last run."""

    name = "file"
    cursor_field = "offset"
    sorted = True  # a file is read front to back: each page may move the bookmark
    Settings = FileSettings

    def searches(self, topics: Any) -> list[Search]:
        return [Search(key=str(Path(path).expanduser().resolve())) for path in self.settings.paths]

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        path = Path(search.key)
        if not path.exists():
            raise FatalError(f"{path} does not exist (connectors.file.paths)")
        offset = (state or {}).get(self.cursor_field, 0)
        if offset > path.stat().st_size:  # truncated or replaced: start again
            offset = 0
        mentions: list[Mention] = []
        skipped = 0
        lines = read_lines(path, format="jsonl", default_source=self.settings.source, offset=offset,
                           complete_lines_only=True)
        try:
            first = next(lines, None)
        except NotJsonLines as error:
            raise FatalError(f"{error} (connectors.file.paths)") from None
        for line in itertools.chain([first] if first else [], lines):
            if line.mention is not None:
                mentions.append(line.mention)
            elif line.error is not None:
                skipped += 1
            offset = line.end_offset
            if len(mentions) >= PAGE_SIZE:
                yield Page(mentions, {self.cursor_field: offset}, skipped=skipped, requests=0)
                mentions, skipped = [], 0
        yield Page(mentions, {self.cursor_field: offset}, skipped=skipped, requests=0)
