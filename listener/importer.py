"""``listener import``: a JSON Lines or CSV file into the database, idempotently."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from connectors.base import Mention
from connectors.file import BadLine, Line, read_lines
from listener.ahead import made_ahead
from listener.config import Config
from listener.ingest import Ingestor, Prepared
from storage import runs

# Mentions per transaction. Each commit rewrites the index pages it touched and adds a
# full-text segment that later commits merge: 10,000 per commit costs less CPU and
# far less I/O than 2,000 (and a crash still loses at most one batch, redone by a rerun).
BATCH = 10_000
# From this size on, a second process reads and prepares the next batch while this one writes
# (listener.ahead): about two batches of typical posts, below which there is nothing to overlap.
AHEAD_MIN_BYTES = 4 * 2**20
IMPORT_GC_THRESHOLD = 100_000  # allocations between two collections during an import (Python's default: 700)

FIRST_PLAUSIBLE_YEAR = 1990  # before: almost surely a wrong date (0, a typo, a unit mix-up)


@dataclass
class ImportReport:
    records: int = 0
    new: int = 0
    repeated: int = 0  # copies of an id already read from this file: the last copy is kept
    unmatched: int = 0  # distinct mentions stored, but matching no configured topic
    fitted: int = 0  # NUL characters removed to store them
    bad: list[BadLine] = field(default_factory=list)
    odd_dates: list[int] = field(default_factory=list)  # line numbers: stored, but the year looks wrong

    @property
    def already_stored(self) -> int:
        return self.records - self.new - self.repeated


def import_file(
    engine: Engine,
    config: Config,
    path: Path,
    *,
    format: str | None = None,
    column_map: Mapping[str, str] | None = None,
    source: str | None = None,
    on_batch: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Store every good record (matched or not: an import loses nothing) and explain the bad ones.

    Raises NotJsonLines when the file is in another format altogether.
    """
    ingestor = Ingestor(engine, config.topics, keep_unmatched=True, last_copy_wins=True)
    report = ImportReport()
    started = now or datetime.now(UTC)  # one time for the run: how a repeated id is recognised
    plausible = range(FIRST_PLAUSIBLE_YEAR, started.year + 2)
    with engine.begin() as connection:
        run_id = runs.start_run(connection, "import")
    try:
        with _few_collections():
            lines = read_lines(path, format=format, column_map=column_map, default_source=source)
            batches = _prepared(_chunks(lines, plausible), ingestor, started)
            if _worth_a_second_process(path):
                batches = made_ahead(batches, name="listener-import-reader")
            for chunk, prepared in batches:
                report.records += chunk.records
                report.bad.extend(chunk.bad)
                report.odd_dates.extend(chunk.odd_dates)
                if prepared is None:
                    continue
                stored = ingestor.write(prepared, now=started)
                report.new += stored.new
                report.repeated += stored.repeated
                report.unmatched += stored.unmatched
                report.fitted += stored.fitted
                if on_batch:
                    on_batch(stored.received)
    except BaseException as error:  # record the run as failed, then let the error surface
        _finish(engine, run_id, report, path, "failed", f"{type(error).__name__}: {error}")
        raise
    _finish(engine, run_id, report, path, "partial" if report.bad else "ok")
    return report


@dataclass(slots=True)
class _Chunk:
    """Up to BATCH consecutive good records of the file, with the bad lines read among them."""

    mentions: list[Mention] = field(default_factory=list)
    records: int = 0
    bad: list[BadLine] = field(default_factory=list)
    odd_dates: list[int] = field(default_factory=list)


def _chunks(lines: Iterator[Line], plausible: range) -> Iterator[_Chunk]:
    chunk = _Chunk()
    for line in lines:
        if line.error is not None:
            chunk.bad.append(line.error)
        elif line.mention is not None:
            chunk.records += 1
            if line.mention.created_at.year not in plausible:
                chunk.odd_dates.append(line.number)
            chunk.mentions.append(line.mention)
            if len(chunk.mentions) >= BATCH:
                yield chunk
                chunk = _Chunk()
    if chunk.mentions or chunk.bad:
        yield chunk


def _prepared(chunks: Iterator[_Chunk], ingestor: Ingestor, started: datetime
              ) -> Iterator[tuple[_Chunk, Prepared | None]]:
    """Each chunk with its batch prepared (pure work: see :meth:`Ingestor.prepare`); its mentions dropped."""
    for chunk in chunks:
        prepared = ingestor.prepare(chunk.mentions, collected_at=started) if chunk.mentions else None
        chunk.mentions = []  # the prepared batch holds what is written; no second copy to send
        yield chunk, prepared


def _worth_a_second_process(path: Path) -> bool:
    """A file of more than a batch or two: the fork and the pipe cost less than they save."""
    try:
        return path.stat().st_size >= AHEAD_MIN_BYTES
    except OSError:
        return False


@contextmanager
def _few_collections() -> Iterator[None]:
    """The cyclic garbage collector, rarely, while the import runs.

    An import allocates millions of short-lived objects that form no cycles (records,
    mentions, rows), and the collector, run every 700 allocations, walked the growing
    batch again and again: a fifth of the import's CPU. Existing objects are frozen
    out of its walks and it runs every 100,000 allocations; both are restored after.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _finish(engine: Engine, run_id: int, report: ImportReport, path: Path, status: str,
            error: str | None = None) -> None:
    counts = {"records": report.records, "new": report.new, "repeated": report.repeated,
              "bad": len(report.bad), "odd_dates": len(report.odd_dates), "file": str(path)}
    with engine.begin() as connection:
        runs.finish_run(connection, run_id, status, counts, error)
