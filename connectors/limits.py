"""Bounds on what one platform can make a run spend: bytes, seconds per request, seconds per run.

A hostile or broken server can send an endless body, a gzip bomb (a few KB
that inflate to GBs) or one byte every few seconds. Every connector's HTTP
goes through a guard built from its settings:

* ``max_response_bytes``: the body, counted both as received and after
  decompression (decoded a chunk at a time, so a bomb never inflates in full);
* ``request_seconds``: the whole request, headers and body, however slowly
  they drip (a watchdog shuts the socket down when the time is up);
* ``run_seconds``: the source's whole run; past it no request starts
  (:class:`connectors.base.Budget`) and the one in flight is cut.

Breaking a bound raises :class:`ResponseTooLarge` (fatal for this run: the
same answer would come again) or :class:`TooSlow` (retriable), each naming the
source and the setting to change; the other sources go on.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connectors.errors import FatalError, RetriableError

CHUNK = 64 * 1024


class ResponseTooLarge(FatalError):
    """A body over ``max_response_bytes``, as received or once decompressed."""


class TooSlow(RetriableError):
    """A request over ``request_seconds``, or the run over ``run_seconds``."""


@dataclass
class Limits:
    """One source's bounds; ``deadline`` (``time.monotonic()``) is set when its run starts."""

    source: str
    max_response_bytes: int
    request_seconds: float
    run_seconds: float
    deadline: float | None = None

    def start_run(self) -> None:
        self.deadline = time.monotonic() + self.run_seconds

    def seconds_left(self) -> tuple[float, str]:
        """Time this request may take, and the setting that bounds it."""
        if self.deadline is not None and self.deadline - time.monotonic() < self.request_seconds:
            return max(0.0, self.deadline - time.monotonic()), "run_seconds"
        return self.request_seconds, "request_seconds"

    def too_large(self, url: str, what: str) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"{self.source}: the answer from {_short(url)} is larger than {self.max_response_bytes:,} bytes "
            f"{what}; stopped reading it (raise connectors.{self.source}.max_response_bytes if it is genuine)"
        )

    def too_slow(self, url: str, setting: str) -> TooSlow:
        seconds = self.run_seconds if setting == "run_seconds" else self.request_seconds
        what = "the run" if setting == "run_seconds" else "the request"
        return TooSlow(
            f"{self.source}: {what} took longer than {seconds:g} s (waiting for {_short(url)}); "
            f"stopped it (connectors.{self.source}.{setting})"
        )


def _short(url: str) -> str:
    return url.split("?", 1)[0][:200]  # no query string: it may carry a token


class Watchdog:
    """Shuts down the registry's sockets after ``seconds``, unless stopped first."""

    def __init__(self, seconds: float, registry: SocketRegistry):
        self.expired = False
        self._registry = registry
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def _expire(self) -> None:
        self.expired = self._registry.closed = True
        for sock in list(self._registry.sockets()):
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv, unlike close()

    def __enter__(self) -> Watchdog:
        self._registry.closed = False
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class SocketRegistry:
    """The live sockets of one connection pool (weakly held), for the watchdog."""

    def __init__(self) -> None:
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self.closed = False  # set when a watchdog fired: no new connection for that request

    def add(self, connection: Any) -> None:
        if self.closed:  # a retry after the time ran out must not start over
            raise OSError("the time for this request ran out")
        self._connections.add(connection)

    def sockets(self) -> Iterator[socket.socket]:
        for connection in list(self._connections):
            sock = getattr(connection, "sock", None)
            if sock is not None:
                yield sock


class Decoder:
    """Incremental gzip/deflate decoding that never inflates more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int):
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._wbits = None
        elif encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = zlib.MAX_WBITS
        else:
            raise ValueError(f"unsupported content encoding {encoding!r}")
        self._inflate = zlib.decompressobj(self._wbits) if self._wbits else None
        self.limit = limit
        self.size = 0

    def feed(self, data: bytes) -> bytes | None:
        """The decoded bytes, or None once they exceed the limit."""
        if self._inflate is None:
            self.size += len(data)
            return None if self.size > self.limit else data
        out = []
        while data:
            piece = self._inflate.decompress(data, self.limit - self.size + 1)
            self.size += len(piece)
            if self.size > self.limit:
                return None
            out.append(piece)
            data = self._inflate.unused_data  # gzip may hold several members back to back
            if data:
                self._inflate = zlib.decompressobj(self._wbits or zlib.MAX_WBITS)  # set when inflating
        return b"".join(out)


def read_body(response: Any, limits: Limits, url: str) -> bytes:
    """All of a urllib3 response's body, decoded, within ``limits.max_response_bytes``."""
    decoder = Decoder(response.headers.get("content-encoding", ""), limits.max_response_bytes)
    parts, received = [], 0
    # read1: what has arrived, not a full chunk (a drip cannot hold it); raw bytes, as
    # requests opens responses with decode_content=False
    while data := response.read1(CHUNK):
        received += len(data)
        if received > limits.max_response_bytes:
            raise limits.too_large(url, "as received")
        decoded = decoder.feed(data)
        if decoded is None:
            raise limits.too_large(url, "once decompressed")
        parts.append(decoded)
    return b"".join(parts)


def limit_breach(error: BaseException) -> ResponseTooLarge | TooSlow | None:
    """The broken bound behind ``error``, however a client library wrapped it."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ResponseTooLarge | TooSlow):
            return current
        seen.add(id(current))
        # prawcore keeps the original in .original_exception, most others chain it
        current = getattr(current, "original_exception", None) or current.__cause__ or current.__context__
    return None
