"""The operations, one way each: what ``listener <command>`` and ``listener serve`` both run.

``collect``, ``score``, ``import_file``, ``send_alerts``, ``send_digests`` and
``write_digests`` each take the :class:`~listener.config.Config`, open the
database, hold the command's lock (one run of a command at a time per
database, :mod:`listener.lock`), record the run in ``runs`` and return a report.
They never print and never exit: the CLI turns reports and exceptions into
messages and exit codes, the service into log lines.

Exceptions a caller should expect:

* :class:`listener.lock.Locked` — another run of the command holds the lock
  (after ``lock_wait`` seconds); nothing was done.
* :class:`storage.db.StorageError` — the database cannot be opened or migrated.

``collect`` and ``import_file`` record their run through the pipeline and the
importer, which hang per-connector rows and counts off it; the others record
theirs here. Scoring after a collect or an import is its own ``score`` run.
Each operation that writes mentions or scores ends by refreshing the planner's
statistics (:mod:`storage.statistics`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from listener import importer, pipeline
from listener.config import Config
from listener.lock import Locked, collect_locks, recorded, run_lock
from listener.overlap import scoring_alongside
from listener.sentiment.pending import ScoreReport, score_pending
from storage import db, statistics

if TYPE_CHECKING:  # alerts and digests load the reporting stack (matplotlib): imported when used
    from listener.alerts import AlertReport
    from listener.analysis.period import Period
    from listener.digest import SendReport

# a score after collect/import waits this long for a running `listener score` to finish
SCORE_LOCK_WAIT_SECONDS = 600.0


def open_engine(config: Config) -> Engine:
    """The config's database, schema up to date. Raises :class:`db.StorageError` naming it."""
    try:
        return db.create(config.storage.url)
    except db.StorageError:
        raise
    except Exception as error:  # driver errors: name the database, never its password
        raise db.StorageError(f"cannot open the database at {db.redact_url(config.storage.url)}: "
                              f"{type(error).__name__}: {error}") from error


@contextmanager
def database(config: Config) -> Iterator[Engine]:
    """:func:`open_engine`, disposed on exit."""
    engine = open_engine(config)
    try:
        yield engine
    finally:
        engine.dispose()


def default_archive(storage_url: str) -> Path:
    """Where sent digests are kept: next to the SQLite database, else ./listener-archive."""
    url = make_url(storage_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().parent / "archive"
    return Path("listener-archive")


@dataclass
class CollectOutcome:
    collect: pipeline.CollectReport
    score: ScoreReport | None  # None when scoring was not asked for


def collect(
    config: Config,
    *,
    only: Sequence[str] | None = None,
    score: bool = True,
    lock_wait: float = 0.0,
    on_page: Callable[[str, int], None] | None = None,
    on_score: Callable[[int, int], None] | None = None,
) -> CollectOutcome:
    """Run the enabled connectors (or ``only`` these; KeyError names unknown ones), then score.

    Each source has its own ``collect.<name>`` lock, so collects of other sources run beside
    this one; ``lock_wait`` is how long to wait for a run that shares a source.
    """
    names = pipeline.enabled_names(config, only)  # unknown names fail before anything is locked
    with database(config) as engine:
        with collect_locks(config, names, wait=lock_wait):  # one lock per source: others run beside
            report = pipeline.collect(engine, config, only=only, on_page=on_page)
        scored = _score(engine, config, progress=on_score, lock_wait=SCORE_LOCK_WAIT_SECONDS) if score else None
        statistics.refresh(engine)
    return CollectOutcome(report, scored)


def score(config: Config, *, rescore: bool = False, lock_wait: float = 0.0,
          progress: Callable[[int, int], None] | None = None) -> ScoreReport:
    """Score the mentions not scored yet (every mention with ``rescore``)."""
    with database(config) as engine:
        report = _score(engine, config, rescore=rescore, progress=progress, lock_wait=lock_wait)
        statistics.refresh(engine)
    return report


def _score(engine: Engine, config: Config, *, rescore: bool = False, lock_wait: float,
           progress: Callable[[int, int], None] | None) -> ScoreReport:
    with run_lock(config, "score", wait=lock_wait), recorded(engine, "score") as counts:
        report = score_pending(engine, config, rescore=rescore, progress=progress)
        counts.update(report.as_dict())
    return report


@dataclass
class ImportOutcome:
    imported: importer.ImportReport
    score: ScoreReport


def import_file(
    config: Config,
    path: Path,
    *,
    format: str | None = None,
    column_map: dict[str, str] | None = None,
    source: str | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_score: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Import a JSON Lines or CSV file (idempotent) and score what is new.

    When no ``listener score`` runs, scoring overlaps the import: a second process
    scores the stored batches while the importer stores the next (:mod:`listener.overlap`).
    """
    with database(config) as engine:
        with run_lock(config, "import"), ExitStack() as score_lock:
            try:
                score_lock.enter_context(run_lock(config, "score"))
            except Locked:  # a `listener score` runs: import now, score once it is done
                report = _import(engine, config, path, format, column_map, source, on_batch)
            else:
                with recorded(engine, "score") as counts:
                    with scoring_alongside(config) as early:
                        report = _import(engine, config, path, format, column_map, source, on_batch)
                    scored = ScoreReport.merged([*early, score_pending(engine, config, progress=on_score)])
                    counts.update(scored.as_dict())
                statistics.refresh(engine)
                return ImportOutcome(report, scored)
        scored = _score(engine, config, progress=on_score, lock_wait=SCORE_LOCK_WAIT_SECONDS)
        statistics.refresh(engine)
    return ImportOutcome(report, scored)


def _import(engine: Engine, config: Config, path: Path, format: str | None,
            column_map: dict[str, str] | None, source: str | None,
            on_batch: Callable[[int], None] | None) -> importer.ImportReport:
    return importer.import_file(engine, config, path, format=format, column_map=column_map,
                                source=source, on_batch=on_batch)


def send_alerts(config: Config, *, dry_run: bool = False, lock_wait: float = 0.0,
                now: datetime | None = None, **delivery: Any) -> AlertReport:
    """Find and send alerts; a dry run sends and records nothing (and needs no lock).

    ``delivery`` passes ``mailer``/``session`` overrides on to :func:`listener.alerts.run_alerts`.
    """
    from listener import alerts

    with database(config) as engine:
        if dry_run:
            return alerts.run_alerts(engine, config, now=now, dry_run=True, **delivery)
        with run_lock(config, "alerts", wait=lock_wait), recorded(engine, "alerts") as counts:
            report = alerts.run_alerts(engine, config, now=now, **delivery)
            counts.update(sent=len(report.sent), held=len(report.held), errors=len(report.errors))
    return report


def send_digests(config: Config, period: Period, *, names: Sequence[str] | None = None,
                 dry_run: bool = False, archive_dir: Path | None = None, lock_wait: float = 0.0,
                 now: datetime | None = None, **delivery: Any) -> SendReport:
    """Email each digest to each recipient once per period; a dry run sends and records nothing."""
    from listener import digest

    archive = archive_dir or default_archive(config.storage.url)
    with database(config) as engine:
        _known_topics(engine, config)
        if dry_run:
            return digest.send_digests(engine, config, period, names=names, dry_run=True, archive_dir=archive,
                                       now=now, **delivery)
        with run_lock(config, "digest", wait=lock_wait), recorded(engine, "digest") as counts:
            report = digest.send_digests(engine, config, period, names=names, archive_dir=archive, now=now,
                                         **delivery)
            statuses = [item.status for item in report.deliveries]
            counts.update(period=period.label, **{s: statuses.count(s) for s in set(statuses)})
    return report


def write_digests(config: Config, period: Period, out_dir: Path, *,
                  names: Sequence[str] | None = None) -> list[Path]:
    """Write each digest's HTML, text and .eml files to ``out_dir`` (reads only: no lock, no run)."""
    from listener import digest

    with database(config) as engine:
        _known_topics(engine, config)
        return digest.write_digests(engine, config, period, out_dir, names=names)


def _known_topics(engine: Engine, config: Config) -> None:
    """The configured topics in the database, so a digest before any collect is empty, not an error."""
    from storage.mentions import sync_topics

    with engine.begin() as connection:
        sync_topics(connection, [topic.model_dump() for topic in config.topics])
