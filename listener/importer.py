"""``listener import``: a JSON Lines or CSV file into the database, idempotently."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from connectors.base import Mention
from connectors.file import BadLine, read_lines
from listener.config import Config
from listener.ingest import Ingestor
from storage import runs

BATCH = 2000


@dataclass
class ImportReport:
    records: int = 0
    new: int = 0
    unmatched: int = 0  # stored, but matching no configured topic
    bad: list[BadLine] = field(default_factory=list)

    @property
    def already_stored(self) -> int:
        return self.records - self.new


def import_file(
    engine: Engine,
    config: Config,
    path: Path,
    *,
    format: str | None = None,
    column_map: Mapping[str, str] | None = None,
    source: str | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> ImportReport:
    """Store every good record (matched or not: an import loses nothing) and explain the bad ones."""
    ingestor = Ingestor(engine, config.topics, keep_unmatched=True)
    report = ImportReport()
    with engine.begin() as connection:
        run_id = runs.start_run(connection, "import")
    batch: list[Mention] = []

    def flush() -> None:
        stored = ingestor.store(batch)
        report.new += stored.new
        report.unmatched += stored.received - stored.matched
        if on_batch:
            on_batch(len(batch))
        batch.clear()

    try:
        for line in read_lines(path, format=format, column_map=column_map, default_source=source):
            if line.error is not None:
                report.bad.append(line.error)
            elif line.mention is not None:
                report.records += 1
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


def _finish(engine: Engine, run_id: int, report: ImportReport, path: Path, status: str,
            error: str | None = None) -> None:
    counts = {"records": report.records, "new": report.new, "bad": len(report.bad), "file": str(path)}
    with engine.begin() as connection:
        runs.finish_run(connection, run_id, status, counts, error)
