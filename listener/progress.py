"""Feedback on long work: a rich progress bar on a terminal, plain log lines otherwise.

``with progress("scoring", quiet=...) as bar: bar.update("scoring", done, total)`` —
the same calls drive both. Under cron (stderr not a terminal) a line is logged
at most every ``interval`` seconds per task, plus one when a task finishes.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("listener.progress")


def interactive(stream: Any = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Reporter:
    """Progress of one or more named tasks; ``update`` sets, ``advance`` adds."""

    def __init__(self, bar: Any = None, *, interval: float = 10.0) -> None:
        self._bar = bar
        self._tasks: dict[str, Any] = {}
        self._done: dict[str, int] = {}
        self._total: dict[str, int | None] = {}
        self._logged: dict[str, float] = {}
        self.interval = interval

    def update(self, task: str, done: int, total: int | None = None) -> None:
        self._done[task] = done
        if total is not None:
            self._total[task] = total
        self._show(task)

    def advance(self, task: str, amount: int = 1, total: int | None = None) -> None:
        self.update(task, self._done.get(task, 0) + amount, total)

    # callbacks in the shapes the pipeline, importer and scorer take
    def on_page(self, connector: str, mentions: int) -> None:
        self.advance(connector, mentions)

    def scoring(self, done: int, total: int) -> None:
        self.update("scoring", done, total)

    def _show(self, task: str) -> None:
        done, total = self._done[task], self._total.get(task)
        if self._bar is not None:
            if task not in self._tasks:
                self._tasks[task] = self._bar.add_task(task, total=total)
            self._bar.update(self._tasks[task], completed=done, total=total)
            return
        now = time.monotonic()
        finished = total is not None and done >= total
        if finished or now - self._logged.get(task, 0.0) >= self.interval:
            self._logged[task] = now
            log.info("%s: %s%s", task, done, f"/{total}" if total is not None else "")


@contextmanager
def progress(*, quiet: bool = False, enabled: bool | None = None, interval: float = 10.0) -> Iterator[Reporter]:
    """A :class:`Reporter`: a live bar when stderr is a terminal (and not quiet), log lines otherwise."""
    show_bar = (interactive() if enabled is None else enabled) and not quiet
    if not show_bar:
        yield Reporter(interval=interval)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=False)
    with bar:
        yield Reporter(bar, interval=interval)
