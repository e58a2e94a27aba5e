"""Score while importing: a second process scores what the importer has already stored.

An import is parsing, matching and storing on one core; scoring is as much work
again. :func:`scoring_alongside` forks one process that runs
:func:`~listener.sentiment.pending.score_pending` over and over while the body
of the ``with`` imports, so the mentions stored by batch N are scored while the
importer stores batch N+1, on the other core. The caller then runs one last
``score_pending`` for whatever the child had not reached.

Scores are written as ``listener score`` writes them (upserts committed with
the watermark), so nothing depends on the child finishing: killed, crashed or
never started, it leaves work that the last pass (or the next run) does. The
child dies with its parent (see :mod:`listener.sentiment.batch`). Where forking
is unsafe (other threads run, as under ``listener serve``, or no ``fork``),
nothing is forked and scoring simply happens after the import.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

from listener.sentiment.batch import BatchScorer, die_with_parent
from listener.sentiment.dispatch import Sentiment
from listener.sentiment.pending import ScoreReport, score_pending
from storage import db

IDLE_SECONDS = 0.2  # nothing pending yet: look again after this long
READ_CHUNK = 5_000  # mentions per scoring transaction in the child (small: it follows the importer)


def can_fork() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _score_until(config: Any, done: Any, send: Connection, parent: int) -> None:
    """The child: score what is pending until ``done`` is set, then send the reports."""
    die_with_parent(parent)
    code = 0
    try:
        engine = db.create(config.storage.url)  # its own connections: none shared with the parent
        reports = []
        batch = BatchScorer(Sentiment.from_config(config), workers=1)  # the other core imports
        while not done.is_set():
            # Once the import is done, stop after the chunk in hand: the parent's last pass
            # scores the rest on every core, where this one process would be the tail alone.
            report = score_pending(engine, config, batch=batch, read_chunk=READ_CHUNK, until=done.is_set)
            if report.mentions:
                reports.append(report)
            else:
                done.wait(IDLE_SECONDS)
        send.send(reports)
    except BaseException:  # the parent's last pass scores whatever is left
        code = 1
    finally:
        os._exit(code)  # no atexit or finalizers: they belong to the parent's objects


@contextmanager
def scoring_alongside(config: Any) -> Iterator[list[ScoreReport]]:
    """While the body runs, a child process scores stored mentions; yields its reports (filled on exit)."""
    reports: list[ScoreReport] = []
    if not can_fork():
        yield reports
        return
    context = multiprocessing.get_context("fork")
    done = context.Event()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_score_until, args=(config, done, send, os.getpid()),
                            name="listener-score-alongside")
    child.start()
    send.close()
    try:
        yield reports
    except BaseException:
        child.terminate()  # its committed chunks stay; the rest is scored by the next run
        raise
    finally:
        done.set()
        with suppress(EOFError, OSError):  # terminated or failed: its committed chunks are kept
            reports.extend(receive.recv())
        child.join()
        receive.close()
