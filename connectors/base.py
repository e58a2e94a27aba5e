"""The connector contract.

A connector is one small class: declarative attributes and one method that
yields pages of normalised :class:`Mention` records. It knows nothing of the
database: the pipeline stores each :class:`Page` *together with* the cursor
state the page carries, in one transaction (docs/architecture.md).

Cursor rules
------------
* Every stream (one topic query, one feed URL, one subreddit…) has its own
  state, a small JSON-able dict, keyed by ``(connector.name, stream.key)``.
* Reads use a closed start (``>=`` / ``since_id``) and rely on the upsert on
  ``(source, external_id)`` to absorb overlap: re-reading is harmless, skipping
  is not.
* ``sorted = True`` (oldest first): each page's state may move the bookmark
  forward, because everything before it has been seen.
* ``sorted = False`` (newest first, the usual search API): pages carry the
  *old* bookmark plus a progress marker (e.g. ``{"pass": {"newest_id": …,
  "next_token": …}}``) and only the last page of a completed pass promotes the
  bookmark. A crash mid-pass re-reads from the old bookmark; a budget stop
  resumes the pass from its marker next run.
"""

from __future__ import annotations

import abc
import dataclasses
import operator
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from connectors.limits import Limits


@dataclass(slots=True)
class Mention:
    """One post, comment, story or article, normalised across platforms."""

    source: str
    external_id: str
    text: str
    created_at: datetime  # timezone-aware, UTC
    author: str | None = None  # handle, without a leading @
    author_id: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    url: str | None = None
    title: str | None = None
    lang: str | None = None  # the platform's own tag; None when it gives none
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    is_repost: bool = False
    is_reply: bool = False
    parent_id: str | None = None  # what this reposts or replies to
    raw: Mapping[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.external_id:
            raise ValueError("a mention needs an external id")
        if self.created_at.tzinfo is None:
            self.created_at = self.created_at.replace(tzinfo=UTC)
        else:
            self.created_at = self.created_at.astimezone(UTC)

    @property
    def engagement(self) -> int:
        return (self.likes or 0) + (self.reposts or 0) + (self.replies or 0)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def __reduce__(self) -> tuple[type[Mention], tuple[Any, ...]]:
        # The field values as one tuple: an import sends its mentions to another process,
        # and a slotted dataclass's default pickle (a dict of slots per object) costs 4× more.
        return Mention, _field_values(self)


_field_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Mention)))


@dataclass(frozen=True, slots=True)
class Search:
    """One thing to ask a platform for: usually a topic's query."""

    key: str  # stable: the cursor is stored under (connector name, key)
    topic: str | None = None
    query: str | None = None  # the topic's query, already in the connector's ``query_syntax``


@dataclass(slots=True)
class Page:
    """Mentions to store, with the cursor state to commit in the same transaction."""

    mentions: list[Mention]
    state: dict[str, Any] | None  # None: leave the stored state as it is
    skipped: int = 0  # malformed items dropped while building this page
    requests: int = 1


class Budget:
    """A per-run cap on requests and mentions so an API bill cannot run away.

    Who does what: the *pipeline* spends, from each yielded ``Page.requests`` and
    ``len(Page.mentions)``. A *connector* only asks: it checks
    ``allows_request()`` (and ``exhausted``) before each request and, when the
    budget is spent, stops yielding with its progress marker in the last page's
    state so the next run resumes there. Count every HTTP request a page cost
    in ``Page.requests`` (retries included).
    """

    def __init__(self, max_requests: int | None = None, max_mentions: int | None = None,
                 limits: Limits | None = None):
        self.max_requests = max_requests
        self.max_mentions = max_mentions
        self.limits = limits  # its deadline ends the run like a spent budget
        self.requests = 0
        self.mentions = 0

    @property
    def out_of_time(self) -> bool:
        return self.limits is not None and self.limits.seconds_left()[0] <= 0

    def allows_request(self) -> bool:
        return (self.max_requests is None or self.requests < self.max_requests) and not self.out_of_time

    def spend(self, *, requests: int = 0, mentions: int = 0) -> None:
        self.requests += requests
        self.mentions += mentions

    @property
    def exhausted(self) -> bool:
        over_requests = self.max_requests is not None and self.requests >= self.max_requests
        over_mentions = self.max_mentions is not None and self.mentions >= self.max_mentions
        return over_requests or over_mentions or self.out_of_time


class ConnectorSettings(BaseModel):
    """Settings every connector accepts under ``[connectors.<name>]``."""

    model_config = ConfigDict(extra="forbid", strict=True)  # `enabled = "yes"` is a mistake

    enabled: bool = True
    interval_minutes: int = 60  # how often `listener serve` collects
    backfill_days: int = 7  # first run: how far back to look
    max_requests: int | None = 100  # per run
    max_mentions: int | None = 10_000  # per run
    base_url: str | None = None  # point at another server (the sandbox, a proxy)
    # bounds against a broken or hostile server (connectors/limits.py)
    max_response_bytes: int = Field(default=20_000_000, gt=0)  # one body, received and decompressed
    request_seconds: float = Field(default=120.0, gt=0)  # one request, however slowly it drips
    run_seconds: float = Field(default=1800.0, gt=0)  # this source's whole run


class Connector(abc.ABC):
    """Base class: subclass, set the attributes, implement :meth:`fetch`."""

    name: ClassVar[str]  # registry key and ``mentions.source`` value
    natural_key: ClassVar[tuple[str, ...]] = ("source", "external_id")
    cursor_field: ClassVar[str]  # the state key holding the bookmark
    sorted: ClassVar[bool]  # True when pages arrive oldest first
    # the search syntax ``Search.query`` is written in (x, reddit, news, keywords); None: no query
    query_syntax: ClassVar[str | None] = None
    Settings: ClassVar[type[ConnectorSettings]] = ConnectorSettings
    secrets: ClassVar[tuple[str, ...]] = ()  # settings never to print

    def __init__(self, settings: ConnectorSettings):
        self.settings = settings
        self.limits = Limits(self.name, settings.max_response_bytes, settings.request_seconds,
                             settings.run_seconds)

    def searches(self, topics: Iterable[Search]) -> list[Search]:
        """What to fetch this run. Default: one search per topic query."""
        return list(topics)

    @abc.abstractmethod
    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        """Yield pages for one search, resuming from ``state`` (None on the first run)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release sessions and sockets."""
