"""Work ahead in a second process: a generator's items made by a forked child while the parent uses the last.

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
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterator
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import TypeVar

from listener.overlap import can_fork
from listener.sentiment.batch import die_with_parent

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"


def made_ahead(items: Iterator[T], *, name: str = "listener-ahead") -> Iterator[T]:
    """``items``, each made by a child process while the caller works on the one before."""
    if not can_fork():
        yield from items
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(items, send, os.getpid()), name=name)
    child.start()
    send.close()
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
