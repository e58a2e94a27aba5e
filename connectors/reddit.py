"""Reddit through praw, read-only: topic searches (``sort=new``) and subreddit comment streams.

One :class:`Search` per topic (``subreddit(scope).search(q, sort="new")``) and
one per configured subreddit (``subreddit(name).comments()``). Both are newest
first, so ``sorted = False`` and the cursor is::

    {"last_created": <created_utc of the newest item seen>, "last_ids": [<fullnames at that time>],
     "pass": {"newest_created": …, "newest_ids": […], "after": <fullname>, "floor": …}}  # mid-pass

A pass walks back page by page (``after``) until it meets an item at or
before the bookmark (or the backfill floor on a first run); its last page
promotes the newest item seen. Items are not filtered here: the pipeline
matches each one against the topic queries.

``base_url`` sets praw's ``oauth_url`` and ``reddit_url`` (the sandbox).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import praw
import prawcore
import requests
from prawcore.sessions import FiniteRetryStrategy
from pydantic import Field, SecretStr

from connectors import http
from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search
from connectors.errors import CredentialsError, FatalError, RetriableError
from listener.query import And, Node, Not, Term, parse

COMMENTS_PREFIX = "comments:r/"
MAX_RATE_LIMIT_WAITS = 5
_WINDOWS = (("hour", 1 / 24), ("day", 1), ("week", 7), ("month", 31), ("year", 365))
_SCALARS = (str, int, float, bool, type(None))


class RedditSettings(ConnectorSettings):
    client_id: str
    client_secret: SecretStr
    user_agent: str = "python:listener:0.1 (self-hosted social listening, read-only)"
    subreddit: str = "all"  # where topic searches look: "all", or "coffee+espresso"
    subreddits: list[str] = []  # also read every new comment of these subreddits
    on_rate_limit: Literal["wait", "stop"] = "wait"
    max_wait_seconds: float = 900.0
    page_size: int = Field(100, ge=1, le=100)
    retries: int = Field(3, ge=0)
    timeout_seconds: float = 30.0


def to_reddit(node: Node, top: bool = True) -> str:
    """listener's query AST in Reddit's search syntax (no handles or hashtags there: plain words)."""
    if isinstance(node, Term):
        return f'"{node.value}"' if node.kind == "phrase" else node.value
    if isinstance(node, Not):
        return f"NOT {to_reddit(node.child, top=False)}"
    parts = list(dict.fromkeys(to_reddit(child, top=False) for child in node.children))
    if len(parts) == 1:  # "acme OR @acme OR #acme" is one word on Reddit
        return parts[0]
    text = (" AND " if isinstance(node, And) else " OR ").join(parts)
    return text if top else f"({text})"


def _time_filter(days: float) -> str:
    return next((name for name, span in _WINDOWS if days <= span), "all")


class _TransportRetried(FiniteRetryStrategy):
    """prawcore's own retry, minus its real sleeps: our transport already retried with backoff.

    One retry stays so an expired token is refreshed (prawcore retries 401 once).
    """

    DEFAULT_RETRIES = 1

    def _sleep_seconds(self) -> float | None:
        return None


def _fields(thing: Any) -> dict[str, Any]:
    """A praw object's own data, without triggering a lazy fetch."""
    return {key: value for key, value in vars(thing).items() if not key.startswith("_")}


def mention_from_thing(thing: Any) -> Mention | None:
    """A praw Submission or Comment as a Mention; None when it lacks an id or a creation time."""
    data = _fields(thing)
    name, created = data.get("name"), data.get("created_utc")
    if not name or not isinstance(created, int | float):
        return None
    author = data.get("author")
    author = None if author is None else str(author)
    subreddit = data.get("subreddit")
    raw = {key: value for key, value in data.items() if isinstance(value, _SCALARS)}
    raw.update(author=author, subreddit=None if subreddit is None else str(subreddit))
    is_comment = str(name).startswith("t1_")
    if is_comment:
        text, title = data.get("body"), None
    else:
        title = data.get("title") or ""
        selftext = data.get("selftext") or ""
        text = f"{title}\n\n{selftext}" if selftext else title
    if not isinstance(text, str):
        return None
    permalink = data.get("permalink")
    author_fullname = data.get("author_fullname")
    return Mention(
        source="reddit",
        external_id=str(name),
        text=text,
        created_at=datetime.fromtimestamp(created, UTC),
        author=author,
        author_id=str(author_fullname).removeprefix("t2_") if author_fullname else None,
        url=f"https://www.reddit.com{permalink}" if permalink else None,
        title=title,
        likes=data.get("score"),
        replies=None if is_comment else data.get("num_comments"),
        is_reply=is_comment,
        parent_id=data.get("parent_id") if is_comment else None,
        raw=raw,
    )


class RedditConnector(Connector):
    """Searches Reddit for each topic and reads the comments of configured subreddits."""

    name = "reddit"
    cursor_field = "last_created"
    sorted = False
    Settings = RedditSettings
    secrets = ("client_secret",)
    config_key = "connectors.reddit.client_secret"

    sleep: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))

    def __init__(self, settings: RedditSettings):
        super().__init__(settings)
        self.settings: RedditSettings = settings
        self._reddit: praw.Reddit | None = None
        self._session: requests.Session | None = None

    @property
    def reddit(self) -> praw.Reddit:
        if self._reddit is None:
            retry = http.retry_policy(retries=self.settings.retries, statuses=http.RETRY_STATUSES - {429},
                                      sleep=lambda seconds: self.sleep(seconds))
            self._session = http.session(retry=retry, timeout=self.settings.timeout_seconds)
            urls = {}
            if self.settings.base_url:
                base = self.settings.base_url.rstrip("/")
                urls = {"oauth_url": base, "reddit_url": base}
            reddit = praw.Reddit(
                client_id=self.settings.client_id,
                client_secret=self.settings.client_secret.get_secret_value(),
                user_agent=self.settings.user_agent,
                requestor_kwargs={"session": self._session},
                check_for_updates=False,
                check_for_async=False,
                **urls,
            )
            reddit.read_only = True
            for core in (reddit._read_only_core, reddit._authorized_core):
                if core is not None:
                    core._retry_strategy_class = _TransportRetried
            self._reddit = reddit
        return self._reddit

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self._reddit = self._session = None

    def searches(self, topics: Iterable[Search]) -> list[Search]:
        streams = [Search(key=f"{COMMENTS_PREFIX}{name}") for name in self.settings.subreddits]
        return [*topics, *streams]

    def _listing(self, search: Search, days: float) -> Callable[[str | None], Any]:
        size = self.settings.page_size
        if search.key.startswith(COMMENTS_PREFIX):
            subreddit = search.key.removeprefix(COMMENTS_PREFIX)
            return lambda after: self.reddit.subreddit(subreddit).comments(
                limit=size, params={"after": after} if after else {})
        if not search.query:
            raise FatalError(f"search {search.key!r} has no query")
        query = to_reddit(parse(search.query).node)
        window = _time_filter(days)
        return lambda after: self.reddit.subreddit(self.settings.subreddit).search(
            query, sort="new", time_filter=window, limit=size, params={"after": after} if after else {})

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        state = state or {}
        last_created: float | None = state.get("last_created")
        last_ids = set(state.get("last_ids") or [])
        progress = dict(state.get("pass") or {})
        after: str | None = progress.get("after")
        newest: float | None = progress.get("newest_created")
        newest_ids = set(progress.get("newest_ids") or [])
        now = self.clock().timestamp()
        floor = last_created if last_created is not None else progress.get("floor")
        if floor is None:
            floor = now - self.settings.backfill_days * 86_400
        listing = self._listing(search, (now - floor) / 86_400 + 1 / 24)
        seen_after: set[str] = set()
        while budget.allows_request() and not budget.exhausted:
            things, next_after, requests_made = self._page(listing, after)
            mentions, skipped, reached_old = [], 0, False
            for thing in things:
                mention = mention_from_thing(thing)
                if mention is None:
                    skipped += 1
                    continue
                created = mention.created_at.timestamp()
                if created < floor or (created == last_created and mention.external_id in last_ids):
                    reached_old = True
                    continue
                mentions.append(mention)
                if newest is None or created > newest:
                    newest, newest_ids = created, {mention.external_id}
                elif created == newest:
                    newest_ids.add(mention.external_id)
            if reached_old or next_after is None:
                yield Page(mentions, self._promoted(last_created, last_ids, newest, newest_ids),
                           skipped=skipped, requests=requests_made)
                return
            if next_after == after or next_after in seen_after:
                raise RetriableError(f"Reddit returned the page after {next_after} twice; stopping this pass")
            seen_after.add(next_after)
            after = next_after
            marker = {"newest_created": newest, "newest_ids": sorted(newest_ids), "after": after,
                      "floor": floor}
            yield Page(mentions, {"last_created": last_created, "last_ids": sorted(last_ids), "pass": marker},
                       skipped=skipped, requests=requests_made)

    @staticmethod
    def _promoted(last_created: float | None, last_ids: set[str], newest: float | None,
                  newest_ids: set[str]) -> dict[str, Any]:
        if newest is None or (last_created is not None and newest < last_created):
            return {"last_created": last_created, "last_ids": sorted(last_ids)}
        if newest == last_created:
            newest_ids = newest_ids | last_ids
        return {"last_created": newest, "last_ids": sorted(newest_ids)}

    def _page(self, listing: Callable[[str | None], Any], after: str | None) -> tuple[list[Any], str | None, int]:
        """One listing page: (things, the listing's ``after`` or None at the end, requests made)."""
        for attempt in range(1, MAX_RATE_LIMIT_WAITS + 2):
            try:
                generator = listing(after)
                things = list(generator)
                # The listing's own "after" (None on the last page). praw keeps the last
                # listing on the generator; a repeated page shows up as after == the one we sent.
                listing_page = getattr(generator, "_listing", None)
                return things, getattr(listing_page, "after", None), attempt
            except prawcore.TooManyRequests as error:
                if attempt > MAX_RATE_LIMIT_WAITS:
                    raise RetriableError("Reddit kept answering 429 after waiting", response=error.response) from None
                http.on_rate_limit(
                    "Reddit", http.reset_at(error.response.headers, now=self.clock()),
                    mode=self.settings.on_rate_limit, max_wait_seconds=self.settings.max_wait_seconds,
                    sleep=self.sleep, now=self.clock(), response=error.response,
                )
            except prawcore.OAuthException as error:
                raise CredentialsError(f"Reddit refused the app credentials ({error.error})",
                                       config_key=self.config_key) from None
            except prawcore.ServerError as error:
                raise RetriableError(f"Reddit server error {error.response.status_code}",
                                     response=error.response) from None
            except prawcore.BadJSON as error:
                raise RetriableError("Reddit sent a truncated or invalid JSON body",
                                     response=error.response) from None
            except prawcore.ResponseException as error:
                status = error.response.status_code
                if status in (401, 403):
                    raise CredentialsError(f"Reddit refused the app credentials ({status})",
                                           config_key=self.config_key) from None
                if status in (408, 425) or status >= 500:
                    raise RetriableError(f"Reddit answered {status}", response=error.response) from None
                raise FatalError(f"Reddit answered {status} for {error.response.url}") from None
            except prawcore.RequestException as error:
                raise RetriableError(f"cannot reach Reddit: {type(error.original_exception).__name__}") from None
        raise AssertionError("unreachable")
