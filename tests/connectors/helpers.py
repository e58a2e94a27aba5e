"""Shared helpers of the connector tests: drive a connector the way the pipeline does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors import REGISTRY
from connectors.base import Budget, Connector, Mention, Page, Search
from listener import platform_queries
from listener.sandbox import DEMO_TOPICS, Sandbox, generate_world

END = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
START = END - timedelta(days=6)


def world(seed: int = 3, per_day: int = 40):
    return generate_world(start=START, end=END, seed=seed, per_day=per_day)


def topic_searches(connector: type[Connector] | str) -> list[Search]:
    """The demo topics as the pipeline hands them to ``connector`` (its query syntax)."""
    cls = REGISTRY[connector] if isinstance(connector, str) else connector
    return platform_queries.topic_searches(cls, [(t.name, t.query) for t in DEMO_TOPICS])


def topic_query(name: str) -> str:
    """A demo topic's query in listener's language."""
    return next(t.query for t in DEMO_TOPICS if t.name == name)


@dataclass
class Run:
    pages: list[Page] = field(default_factory=list)
    state: dict[str, Any] | None = None

    @property
    def mentions(self) -> list[Mention]:
        return [m for page in self.pages for m in page.mentions]

    @property
    def ids(self) -> set[str]:
        return {m.external_id for m in self.mentions}

    @property
    def skipped(self) -> int:
        return sum(page.skipped for page in self.pages)


def drain(connector: Connector, search: Search, state: dict[str, Any] | None = None,
          budget: Budget | None = None, run: Run | None = None) -> Run:
    """Like the pipeline: spend the budget per page, keep the last state; stop when exhausted."""
    budget = budget or Budget()
    run = run or Run(state=state)
    for page in connector.fetch(search, state, budget):
        run.pages.append(page)
        if page.state is not None:
            run.state = page.state
        budget.spend(requests=page.requests, mentions=len(page.mentions))
        if budget.exhausted:
            break
    return run


def pages_and_state(connector: Connector, search: Search, state: dict[str, Any] | None = None,
                    budget: Budget | None = None) -> tuple[list[Page], dict[str, Any] | None]:
    """:func:`drain`, as (pages, the last state)."""
    run = drain(connector, search, state, budget)
    return run.pages, run.state


class Sleeps(list):
    """A fake ``sleep`` that records what it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


_OPEN: list[Connector] = []


def opened(instance: Connector) -> Connector:
    """``instance``, closed after the test (``close_all``, run by tests/connectors/conftest.py)."""
    _OPEN.append(instance)
    return instance


def close_all() -> None:
    """Close every connector the helpers made: no pooled socket outlives its test."""
    while _OPEN:
        _OPEN.pop().close()


def connector(name: str, sandbox: Sandbox | None = None, *, clock: datetime | None = END,
              **overrides: Any) -> Connector:
    cls = REGISTRY[name]
    settings = {**(sandbox.connector_settings(name) if sandbox else {}), **overrides}
    instance = opened(cls(cls.Settings.model_validate(settings)))
    if hasattr(cls, "sleep"):
        instance.sleep = Sleeps()
    if clock is not None and hasattr(cls, "clock"):
        instance.clock = lambda: clock
    return instance


# The recorded real payloads, copied into the repository with their provenance (README.md there).
RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
