"""One client-library call, with its errors mapped and its rate limits waited out (or not).

The connectors that speak through a client library (praw, tweepy) make each
request through :func:`call`: the library's exceptions become ours through the
connector's :data:`~connectors.errors.ErrorTable`, and a :class:`RateLimited`
is waited out (``on_rate_limit = "wait"``, up to ``max_wait_seconds``) and the
call made again, at most ``waits`` times; ``"stop"`` ends the run, to resume
next time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from connectors import http
from connectors.errors import ErrorTable, RateLimited, RetriableError, mapped

T = TypeVar("T")

MAX_WAITS = 5  # per request: then give up for this run


def call(
    request: Callable[[], T],
    *,
    source: str,
    errors: ErrorTable,
    mode: str,
    max_wait_seconds: float,
    sleep: http.Sleep,
    clock: Callable[[], datetime],
    waits: int = MAX_WAITS,
) -> tuple[T, int]:
    """``request()``'s result and the number of requests it took."""
    for attempt in range(1, waits + 2):
        try:
            with mapped(errors):
                return request(), attempt
        except RateLimited as limited:
            if attempt > waits:
                raise RetriableError(f"{source} kept answering 429 after waiting",
                                     response=limited.response) from None
            headers = limited.response.headers if limited.response is not None else {}
            http.on_rate_limit(source, limited.reset_at or http.reset_at(headers, now=clock()), mode=mode,
                               max_wait_seconds=max_wait_seconds, sleep=sleep, now=clock(),
                               response=limited.response)
    raise AssertionError("unreachable")
