"""Batches of texts through the whole path: mask, find the language, score.

Large batches are scored on every core by a ``ProcessPoolExecutor``: forked on
Linux when no other thread runs (workers inherit the built scorers and the
language model), spawned elsewhere (workers build their scorers once, from
picklable settings); small ones stay in-process, where starting workers would
cost more than it saves. Identical inputs are sent once, and each worker keeps a
bounded cache keyed by (masked text, language).

A worker never outlives the process that started it: on Linux the kernel sends
it SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``), elsewhere a
watchdog thread notices the new parent and exits.
"""

from __future__ import annotations

import ctypes
import gc
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, NamedTuple

from listener.language import Language, preload, route
from listener.query import Term, terms_pattern
from listener.sentiment.dispatch import Sentiment
from listener.sentiment.masking import Masker, masked_with
from listener.sentiment.result import Score

IN_PROCESS_MAX = 4_000  # fewer unique texts than this: no process pool
TASK_SIZE = 1_000  # texts per pool task
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCHDOG_SECONDS = 0.5


class Analysed(NamedTuple):  # plain tuples travel back from workers much faster than objects
    masked: str
    lang: str
    detected: bool  # True: guessed from the text; False: the platform's own tag
    score: Score


Item = tuple[str, "str | None", int]  # (text, platform tag, index of its term set)

_WORKER: Sentiment | None = None


def die_with_parent(parent: int) -> None:
    """Make this worker exit when ``parent`` dies (a SIGKILLed ``listener`` leaves no worker)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # died before prctl took effect
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _init_worker(sentiment: Sentiment, parent: int) -> None:
    global _WORKER
    die_with_parent(parent)
    _WORKER = sentiment


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a batch builds its results.

    A batch keeps a few new tuples per text alive until it returns and makes no reference
    cycles; with the collector on, those allocations set off full collections that walk
    every object of the process (loaded modules and models too) and free nothing: about
    15 % of the scoring time. The previous state is restored (nesting is safe).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def analyse(sentiment: Sentiment, items: Sequence[Item],
            termsets: Sequence[tuple[Term, ...]]) -> list[Analysed]:
    """Mask, find the language, score; each distinct (masked text, language) scored once."""
    default = sentiment.default_language
    patterns = [terms_pattern(terms) for terms in termsets]
    tagged: dict[str, Language] = {}  # a platform tag that names a language, whatever the text
    with collector_paused():
        pairs, languages = [], []
        for text, tag, terms in items:
            clean = masked_with(text, patterns[terms])
            language = tagged.get(tag) if tag is not None else None
            if language is None:
                language = route(clean, tag, default)
                if tag is not None and not language.detected:
                    tagged[tag] = language
            pairs.append((clean, language.code))
            languages.append(language)
        scores = sentiment.score_many(pairs)
        return [Analysed(clean, code, language.detected, score)
                for (clean, code), language, score in zip(pairs, languages, scores, strict=True)]


def _analyse_task(items: Sequence[Item], termsets: Sequence[tuple[Term, ...]]) -> list[Analysed]:
    assert _WORKER is not None, "worker not initialised"
    return analyse(_WORKER, items, termsets)


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork on Linux when the parent runs no other thread (workers start in milliseconds and
    inherit the loaded analyzers and language model); spawn elsewhere and when threads run
    (listener serve), where forking could copy a lock held by another thread."""
    if (sys.platform.startswith("linux") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def default_workers(configured: int = 0) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)


def _indices(terms: Sequence[tuple[Term, ...]], termsets: dict[tuple[Term, ...], int]) -> list[int]:
    """The index of each term set in ``termsets`` (added there when new).

    Callers pass one tuple object per distinct set (a mention's topics' terms, cached), so a
    set's object is looked up by identity first: hashing a tuple hashes each of its terms anew.
    """
    by_identity: dict[int, int] = {}  # the objects stay alive in ``terms`` meanwhile
    indices = []
    for term_set in terms:
        index = by_identity.get(id(term_set))
        if index is None:
            index = by_identity[id(term_set)] = termsets.setdefault(term_set, len(termsets))
        indices.append(index)
    return indices


class BatchScorer:
    """Masks, detects and scores batches; identical inputs and identical masked texts once.

    Use as a context manager: a process pool is started on the first batch
    large enough to pay for it (``in_process_max`` distinct texts), and shut
    down on exit.
    """

    def __init__(self, sentiment: Sentiment, *, workers: int = 0,
                 in_process_max: int = IN_PROCESS_MAX, task_size: int = TASK_SIZE) -> None:
        self.sentiment = sentiment
        _ = sentiment.registry  # loads the model here: a missing file fails now, not in a worker
        self.workers = default_workers(workers)
        self.in_process_max = in_process_max
        self.task_size = task_size
        self._pool: Executor | None = None

    def __enter__(self) -> BatchScorer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def pooled(self) -> bool:
        """Whether a process pool has been started."""
        return self._pool is not None

    @property
    def pool(self) -> Executor:
        if self._pool is None:
            context = _pool_context()
            if context.get_start_method() == "fork":
                # Forked workers inherit the built analyzers and the language model.
                self.sentiment.warm()
                preload()
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self.sentiment, os.getpid()),
            )
        return self._pool

    def run(self, texts: Sequence[str], tags: Sequence[str | None] | None = None,
            terms: Sequence[tuple[Term, ...]] | None = None) -> list[Analysed]:
        """One :class:`Analysed` per text, in order."""
        return self.submit(texts, tags, terms)()

    def submit(self, texts: Sequence[str], tags: Sequence[str | None] | None = None,
               terms: Sequence[tuple[Term, ...]] | None = None) -> Callable[[], list[Analysed]]:
        """Like :meth:`run`, but returns at once: call the result to wait for the scores.

        Pooled batches are scored while the caller goes on (reading or writing
        another chunk); small ones are scored in-process when collected.
        """
        termsets: dict[tuple[Term, ...], int] = {(): 0} if not terms else {}
        with collector_paused():
            indices = _indices(terms, termsets) if terms else [0] * len(texts)
            keys: list[Item] = list(zip(texts, tags or [None] * len(texts), indices, strict=True))
            unique = list(dict.fromkeys(keys))
        sets = list(termsets)

        def ordered(done: Sequence[Analysed]) -> list[Analysed]:
            if len(unique) == len(keys):  # no text twice: already in order
                return list(done)
            with collector_paused():
                return list(map(dict(zip(unique, done, strict=True)).__getitem__, keys))

        if self.workers <= 1 or len(unique) < self.in_process_max:
            return lambda: ordered(analyse(self.sentiment, unique, sets))
        size = max(100, min(self.task_size, math.ceil(len(unique) / self.workers)))
        futures: list[Future[list[Analysed]]] = [
            self.pool.submit(_analyse_task, unique[i : i + size], sets)
            for i in range(0, len(unique), size)
        ]
        return lambda: ordered([row for future in futures for row in future.result()])


class Scored(NamedTuple):
    text: str
    masked: str
    lang: str
    lang_detected: bool
    score: Score


def score_texts(
    texts: Sequence[str],
    *,
    tags: Sequence[str | None] | None = None,
    masker: Masker | None = None,
    terms: Sequence[tuple[Term, ...]] | None = None,
    config: Any = None,
    workers: int | None = None,
) -> list[Scored]:
    """Score free texts through the stored-mention path (used by ``listener eval``).

    With a ``masker``, the terms of the topics whose query matches a text are masked;
    ``terms`` gives them per text instead (as a stored mention's matches give them).
    """
    if masker is not None and terms is None:
        terms = [masker.terms(masker.matching(text)) for text in texts]
    sentiment = Sentiment.from_config(config)
    scoring = getattr(config, "scoring", config)
    configured = workers if workers is not None else getattr(scoring, "workers", 0)
    with collector_paused(), BatchScorer(sentiment, workers=configured) as batch:
        results = batch.run(texts, tags, terms)
        return [Scored(text, *result) for text, result in zip(texts, results, strict=True)]
