"""What a connector raises, named by what the caller should do.

    ConnectorError
    ├── FatalError          stop this connector's run; the others go on
    │   └── CredentialsError    the platform refused our credentials (names the config key)
    ├── RetriableError      try again later (carries the response when there is one)
    │   └── RateLimited         the platform asked us to wait until ``reset_at``
    └── SkippableRecord     one bad item: skip it, count it, go on

The pipeline catches these and only these; anything else is a bug and surfaces.

A connector turns its client library's exceptions into these with one table
per library (:data:`ErrorTable`, applied by :func:`mapped`), the way httpx maps
httpcore's exceptions: the most specific entry for the exception's class wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any


class ConnectorError(Exception):
    """Base class of everything a connector raises on purpose."""


class FatalError(ConnectorError):
    """The connector cannot go on this run (bad config, gone endpoint…)."""


class CredentialsError(FatalError):
    """The platform rejected our credentials.

    ``config_key`` is the setting a person must fix, e.g. ``connectors.x.bearer_token``.
    """

    def __init__(self, message: str, *, config_key: str):
        super().__init__(f"{message} (check {config_key})")
        self.config_key = config_key


class RetriableError(ConnectorError):
    """A transient failure: 5xx, timeout, truncated body. Retry with backoff."""

    def __init__(self, message: str, *, response: Any = None):
        super().__init__(message)
        self.response = response


class RateLimited(RetriableError):
    """The platform asked us to wait. ``reset_at`` is when it will answer again."""

    def __init__(self, message: str, *, reset_at: datetime | None = None, response: Any = None):
        super().__init__(message, response=response)
        self.reset_at = reset_at


class SkippableRecord(ConnectorError):
    """One malformed item. The run skips it and counts it."""


# a client library's exception class -> how to turn one into ours (the error is passed in)
ErrorTable = Mapping[type[BaseException], Callable[[Any], ConnectorError]]


@contextmanager
def mapped(table: ErrorTable) -> Iterator[None]:
    """Raise the :class:`ConnectorError` that ``table`` gives for the nearest class of an exception.

    Exceptions whose classes are not in the table (bugs) surface unchanged.
    """
    try:
        yield
    except ConnectorError:
        raise
    except Exception as error:
        make = next((table[cls] for cls in type(error).__mro__ if cls in table), None)
        if make is None:
            raise
        raise make(error) from None  # the original may quote a secret (URL, body); ours says enough
