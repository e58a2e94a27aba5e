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
from connectors.file import BadLine, read_lines
from listener.config import Config
from listener.ingest import Ingestor
from storage import runs

# Mentions per transaction. Each commit rewrites the index pages it touched and adds a
# full-text segment that later commits merge: 10,000 per commit costs less CPU and
# far less I/O than 2,000 (and a crash still loses at most one batch, redone by a rerun).
BATCH = 10_000
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
    batch: list[Mention] = []

    def flush() -> None:
        stored = ingestor.store(batch, now=started)
        report.new += stored.new
        report.repeated += stored.repeated
        report.unmatched += stored.unmatched
        report.fitted += stored.fitted
        if on_batch:
            on_batch(len(batch))
        batch.clear()

    try:
        with _few_collections():
            for line in read_lines(path, format=format, column_map=column_map, default_source=source):
                if line.error is not None:
                    report.bad.append(line.error)
                elif line.mention is not None:
                    report.records += 1
                    if line.mention.created_at.year not in plausible:
                        report.odd_dates.append(line.number)
                    batch.append(line.mention)
                    if len(batch) >= BATCH:
                        flush()
            if batch:
                flush()
    except BaseException as error:  # record the run as failed, then let the error surface
        _finish(engine, run_id, report, path, "failed", f"{type(error).__name__}: {error}")
        raise
    _finish(engine, run_id, report, path, "partial" if report.bad else "ok")
    return report


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
