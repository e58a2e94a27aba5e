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

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import praw
import prawcore
import requests
from pydantic import Field, SecretStr

from connectors import http, ratelimited
from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search
from connectors.errors import (
    ConnectorError,
    CredentialsError,
    ErrorTable,
    FatalError,
    RateLimited,
    RetriableError,
)
from connectors.pagination import Paginator

COMMENTS_PREFIX = "comments:r/"
STALE_REREADS = 2  # a stale page is read again this many times before the pass ends partial
log = logging.getLogger(__name__)
CONFIG_KEY = "connectors.reddit.client_secret"
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


def _time_filter(days: float) -> str:
    return next((name for name, span in _WINDOWS if days <= span), "all")


class TransportRetried(prawcore.Requestor):
    """prawcore's requestor over our retrying session: what is still failing after our retries is final.

    prawcore would retry a 5xx or a lost connection again, sleeping for real between
    tries; raising our error here (a public extension point: praw's ``requestor_class``)
    ends that at once. prawcore still retries a 401 once, to refresh an expired token.
    """

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        try:
            response = super().request(*args, **kwargs)
        except prawcore.RequestException as error:
            raise RetriableError(f"cannot reach Reddit: {type(error.original_exception).__name__}") from None
        if response.status_code >= 500:
            raise RetriableError(f"Reddit server error {response.status_code}", response=response)
        return response


def _refused(error: prawcore.ResponseException) -> ConnectorError:
    status = error.response.status_code
    if status in (401, 403):
        return CredentialsError(f"Reddit refused the app credentials ({status})", config_key=CONFIG_KEY)
    if status in (408, 425) or status >= 500:
        return RetriableError(f"Reddit answered {status}", response=error.response)
    return FatalError(f"Reddit answered {status} for {error.response.url}")


# prawcore's exceptions and ours; the nearest class of an exception wins (connectors.errors.mapped)
PRAWCORE_ERRORS: ErrorTable = {
    prawcore.TooManyRequests: lambda e: RateLimited("Reddit rate limit reached", response=e.response),
    prawcore.OAuthException: lambda e: CredentialsError(f"Reddit refused the app credentials ({e.error})",
                                                        config_key=CONFIG_KEY),
    prawcore.ServerError: lambda e: RetriableError(f"Reddit server error {e.response.status_code}",
                                                   response=e.response),
    prawcore.BadJSON: lambda e: RetriableError("Reddit sent a truncated or invalid JSON body", response=e.response),
    prawcore.ResponseException: _refused,
    prawcore.RequestException: lambda e: RetriableError(
        f"cannot reach Reddit: {type(e.original_exception).__name__}"),
}


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
    query_syntax = "reddit"
    secrets = ("client_secret",)
    config_key = CONFIG_KEY

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
            self._session = http.session(retry=retry, timeout=self.settings.timeout_seconds,
                                         limits=self.limits)
            urls = {}
            if self.settings.base_url:
                base = self.settings.base_url.rstrip("/")
                urls = {"oauth_url": base, "reddit_url": base}
            reddit = praw.Reddit(
                client_id=self.settings.client_id,
                client_secret=self.settings.client_secret.get_secret_value(),
                user_agent=self.settings.user_agent,
                requestor_class=TransportRetried,
                requestor_kwargs={"session": self._session},
                check_for_updates=False,
                check_for_async=False,
                **urls,
            )
            reddit.read_only = True
            self._reddit = reddit
        return self._reddit

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self._reddit = self._session = None

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def clock(self) -> datetime:
        return datetime.now(UTC)

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
        query = search.query
        window = _time_filter(days)
        return lambda after: self.reddit.subreddit(self.settings.subreddit).search(
            query, sort="new", time_filter=window, limit=size, params={"after": after} if after else {})

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        state = state or {}
        last_created: float | None = state.get("last_created")
        last_ids = set(state.get("last_ids") or [])
        progress = dict(state.get("pass") or {})
        pages: Paginator[str] = Paginator("Reddit", progress.get("after"))
        newest: float | None = progress.get("newest_created")
        newest_ids = set(progress.get("newest_ids") or [])
        now = self.clock().timestamp()
        floor = last_created if last_created is not None else progress.get("floor")
        if floor is None:
            floor = now - self.settings.backfill_days * 86_400
        listing = self._listing(search, (now - floor) / 86_400 + 1 / 24)
        while budget.allows_request() and not budget.exhausted:
            things, next_after, requests_made = self._page(listing, pages.token)
            # A stale page (the one before, served again by a cache) is read again a few
            # times before the paginator ends the pass as partial (resumed next run).
            for _ in range(STALE_REREADS):
                if pages.token is None or next_after != pages.token or not budget.allows_request():
                    break
                log.info("reddit: a stale page came back after %s; reading it again", pages.token)
                things, next_after, more = self._page(listing, pages.token)
                requests_made += more
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
            if reached_old or not pages.advance(next_after):
                yield Page(mentions, self._promoted(last_created, last_ids, newest, newest_ids),
                           skipped=skipped, requests=requests_made)
                return
            marker = {"newest_created": newest, "newest_ids": sorted(newest_ids), "after": pages.token,
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
        """One listing page: (things, the token of the next page or None at the end, requests made).

        praw keeps the next page's token in the listing generator's public ``params``; it
        leaves the token as it was at the end. A page holding the item we asked to read
        *after* is the previous page again: its token is the one we sent (a repeat).
        """

        def read() -> tuple[list[Any], str | None]:
            generator = listing(after)
            things = list(generator)
            token = generator.params.get("after")
            if after is not None and any(_fields(thing).get("name") == after for thing in things):
                return things, after
            return things, None if token == after else token

        (things, token), requests_made = ratelimited.call(
            read, source="Reddit", errors=PRAWCORE_ERRORS, mode=self.settings.on_rate_limit,
            max_wait_seconds=self.settings.max_wait_seconds, sleep=self.sleep, clock=self.clock)
        return things, token, requests_made
