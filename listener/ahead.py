"""Work on both cores: a forked child makes a generator's items, or runs one function, beside the parent.

An import is reading and preparing records (parsing, validating, topic matching,
story keys: pure Python, no database) and writing them (SQLite or PostgreSQL).
:func:`made_ahead` runs the first half in a forked child and hands its items
to the parent through a pipe, so batch N+1 is prepared on one core while the
parent writes batch N on the other. The pipe holds about one item: the child
blocks once it is an item ahead, so memory stays bounded whatever the file's size.

Only the parent touches the database, so what is stored, and when it is
committed, is exactly what it would be in one process. An exception raised by
the generator is raised in the parent where it would have been; if the parent
stops early (an error while writing, or it just stops iterating), the child is
terminated. Where forking is unsafe (other threads run, as under ``listener
serve``, or no ``fork``), the items are simply made in this process.

:func:`beside` is the one-item case: a function run by a child while the parent
runs another (the digest's independent reads, half on each core).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Generator, Iterator
from contextlib import suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from listener.overlap import can_fork
from listener.sentiment.batch import die_with_parent

T = TypeVar("T")
U = TypeVar("U")

_ITEM, _END, _ERROR = "item", "end", "error"


def made_ahead(items: Iterator[T], *, name: str = "listener-ahead") -> Iterator[T]:
    """``items``, each made by a child process while the caller works on the one before."""
    if not can_fork():
        yield from items
        return
    child, receive = _started(items, name)
    yield from _received(child, receive, name)


def beside(here: Callable[[], T], there: Callable[[], U], *, in_child: Callable[[], None] | None = None,
           name: str = "listener-beside") -> tuple[T, U]:
    """``(here(), there())``, with ``there`` run by a forked child while this process runs ``here``.

    ``there``'s value comes back pickled; its exception is raised here, after ``here``
    is done. ``in_child`` runs first in the child only: e.g. ``engine.dispose(close=False)``,
    so that the child opens connections of its own instead of using the parent's.
    Where forking is unsafe, ``there()`` then ``here()`` run in this process.
    """
    if not can_fork():
        theirs = there()
        return here(), theirs

    def in_the_child() -> Iterator[U]:
        if in_child is not None:
            in_child()
        yield there()

    child, receive = _started(in_the_child(), name)
    try:
        ours = here()
    except BaseException:
        child.terminate()
        child.join()
        receive.close()
        raise
    (theirs,) = _received(child, receive, name)
    return ours, theirs


def _started(items: Iterator[T], name: str) -> tuple[BaseProcess, Connection]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(items, send, os.getpid()), name=name)
    child.start()
    send.close()
    return child, receive


def _received(child: BaseProcess, receive: Connection, name: str) -> Generator[Any, None, None]:
    """What the child sends, item by item; on an early stop the child is terminated."""
    finished = False
    try:
        while True:
            try:
                kind, value = receive.recv()
            except EOFError:  # the child died without a word (killed, out of memory)
                raise ChildProcessError(f"{name} (pid {child.pid}) ended unexpectedly") from None
            if kind == _END:
                finished = True
                return
            if kind == _ERROR:
                finished = True
                raise value
            yield value
    finally:
        if not finished:
            child.terminate()
        receive.close()
        child.join()


def _produce(items: Iterator[T], send: Connection, parent: int) -> None:
    """The child: send each item, then the end (or the error that stopped it)."""
    die_with_parent(parent)
    code = 0
    try:
        try:
            for item in items:
                send.send((_ITEM, item))
        except BaseException as error:  # the parent raises it where the generator raised it
            send.send((_ERROR, _sendable(error)))
        else:
            send.send((_END, None))
    except BaseException:  # the parent is gone, or the pipe broke: nothing left to tell
        code = 1
    finally:
        os._exit(code)  # no atexit or finalizers: they belong to the parent's objects


def _sendable(error: BaseException) -> BaseException:
    """``error`` itself where it survives pickling, else a RuntimeError with its text."""
    with suppress(Exception):
        pickle.loads(pickle.dumps(error))
        return error
    return RuntimeError(f"{type(error).__name__}: {error}")
