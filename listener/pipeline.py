"""Collection: run every enabled connector, each in its own thread, page by page.

Each page is stored together with the cursor state it carries (``Ingestor``),
so a crash anywhere followed by a rerun stores exactly what a clean run would.
One connector failing never stops the others; the run record says what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Engine

from connectors import REGISTRY
from connectors.base import Budget, Connector, Search
from connectors.errors import ConnectorError, RetriableError
from connectors.limits import limit_breach
from listener.config import Config
from listener.ingest import Cursor, Ingestor
from listener.platform_queries import topic_searches
from storage import runs
from storage.state import load_state

log = logging.getLogger(__name__)


@dataclass
class ConnectorReport:
    name: str
    status: str = "ok"  # ok | partial (stopped early, resumes next run) | failed
    fetched: int = 0
    new: int = 0
    skipped: int = 0
    requests: int = 0
    error: str | None = None


@dataclass
class CollectReport:
    run_id: int
    connectors: list[ConnectorReport] = field(default_factory=list)

    @property
    def failed(self) -> list[ConnectorReport]:
        return [report for report in self.connectors if report.status == "failed"]

    @property
    def new(self) -> int:
        return sum(report.new for report in self.connectors)


def enabled_names(config: Config, only: Sequence[str] | None = None) -> list[str]:
    """The enabled connectors (``only`` these, if given; KeyError names unknown ones)."""
    names = [name for name, settings in config.connector_settings.items() if settings.enabled]
    if only:
        unknown = sorted(set(only) - set(config.connector_settings))
        if unknown:
            raise KeyError(", ".join(unknown))
        names = [name for name in names if name in only]
    return names


def enabled_connectors(config: Config, only: Sequence[str] | None = None) -> list[Connector]:
    return [REGISTRY[name](config.connector_settings[name]) for name in enabled_names(config, only)]


def collect(
    engine: Engine,
    config: Config,
    *,
    only: Sequence[str] | None = None,
    connectors: Sequence[Connector] | None = None,
    on_page: Callable[[str, int], None] | None = None,
) -> CollectReport:
    """Run the connectors concurrently; never raises for a connector's own failure."""
    connectors = list(connectors) if connectors is not None else enabled_connectors(config, only)
    ingestor = Ingestor(engine, config.topics)
    topics = [(t.name, t.query) for t in config.topics]
    with engine.begin() as connection:
        run_id = runs.start_run(connection, "collect")
    report = CollectReport(run_id)
    # Threads, not processes: connectors wait on the network, so their waits overlap.
    with ThreadPoolExecutor(max_workers=max(1, len(connectors)), thread_name_prefix="collect") as pool:
        futures = [pool.submit(_run_connector, engine, ingestor, c, topic_searches(c, topics), run_id, on_page)
                   for c in connectors]
        report.connectors = [future.result() for future in futures]
    status = "failed" if report.failed else ("partial" if any(r.status != "ok" for r in report.connectors) else "ok")
    with engine.begin() as connection:
        runs.finish_run(connection, run_id, status, counts={r.name: _counts(r) for r in report.connectors},
                        error="; ".join(f"{r.name}: {r.error}" for r in report.connectors if r.error) or None)
    return report


def _counts(report: ConnectorReport) -> dict[str, int | str]:
    return {"status": report.status, "fetched": report.fetched, "new": report.new,
            "skipped": report.skipped, "requests": report.requests}


def _run_connector(engine: Engine, ingestor: Ingestor, connector: Connector, searches: list[Search],
                   run_id: int, on_page: Callable[[str, int], None] | None) -> ConnectorReport:
    report = ConnectorReport(connector.name)
    settings = connector.settings
    connector.limits.start_run()
    budget = Budget(settings.max_requests, settings.max_mentions, limits=connector.limits)
    with engine.begin() as connection:
        connector_run_id = runs.start_connector_run(connection, run_id, connector.name)
    try:
        for search in connector.searches(searches):
            if budget.exhausted:
                report.status, report.error = "partial", _spent(budget, connector)
                break
            _run_search(engine, ingestor, connector, search, budget, report, on_page)
    except Exception as caught:
        # A bound broken deep inside a client library arrives wrapped in its own
        # error type: report the bound, which names the source and the setting.
        error = limit_breach(caught) or caught
        if isinstance(error, RetriableError):
            report.status, report.error = "partial", f"{error}; will resume from the saved cursor next run"
            log.warning("%s: %s", connector.name, report.error)
        elif isinstance(error, ConnectorError):  # FatalError and the like
            report.status, report.error = "failed", str(error)
            log.error("%s: %s", connector.name, error)
        else:  # a bug in one connector must not stop the others; logged in full
            log.exception("%s failed unexpectedly", connector.name)
            report.status, report.error = "failed", f"internal error: {type(error).__name__}: {error}"
    finally:
        connector.close()
        with engine.begin() as connection:
            runs.finish_connector_run(
                connection, connector_run_id, status=report.status, fetched=report.fetched, new=report.new,
                skipped=report.skipped, requests=report.requests, error=report.error,
            )
    return report


def _run_search(engine: Engine, ingestor: Ingestor, connector: Connector, search: Search, budget: Budget,
                report: ConnectorReport, on_page: Callable[[str, int], None] | None) -> None:
    with engine.connect() as connection:
        state = load_state(connection, connector.name, search.key)
    for page in connector.fetch(search, state, budget):
        cursor = Cursor(connector.name, search.key, page.state) if page.state is not None else None
        stored = ingestor.store(page.mentions, cursor=cursor)
        budget.spend(requests=page.requests, mentions=len(page.mentions))
        report.fetched += len(page.mentions)
        report.new += stored.new
        report.skipped += page.skipped + stored.unfit
        report.requests += page.requests
        if on_page:
            on_page(connector.name, len(page.mentions))
        if budget.exhausted:
            report.status, report.error = "partial", _spent(budget, connector)
            return


def _spent(budget: Budget, connector: Connector) -> str:
    if budget.out_of_time:
        return (f"{connector.name}: the run took longer than {connector.settings.run_seconds:g} s "
                f"(connectors.{connector.name}.run_seconds); the rest is collected next run")
    return "per-run budget reached; the rest is collected next run"
