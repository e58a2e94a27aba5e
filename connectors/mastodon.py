"""Mastodon through Mastodon.py: hashtag timelines (no account) and status search (token).

Streams (:meth:`MastodonConnector.searches`), for every instance in ``instances``:

* ``{instance}/tags/{tag}`` for each hashtag: the configured ``hashtags``, or
  when none are configured, the hashtags and words of the topic queries
  (``"acme coffee"`` → ``#acmecoffee``; see :func:`connectors.querytext.hashtags`).
  Public hashtag timelines need no account on most instances.
* ``{instance}/search?q=…`` for each OR branch of each topic query, only when
  ``access_token`` is set: Mastodon serves full-text status search to
  logged-in users only.

Cursor ``min_id`` (a status id): ``timeline_hashtag(tag, min_id=…)`` returns
the statuses immediately newer than ``min_id``, so paging forward is oldest
page first (``sorted = True``) and each page's state moves the bookmark to the
newest id it holds. The first run starts ``backfill_days`` ago (Mastodon.py
turns a datetime into a snowflake id). Search results are not guaranteed to
be in order: they are read in a pass by offset (``pass`` marker) restricted
to ``min_id`` and the bookmark is promoted when the pass completes.

``external_id`` is the status URI, the same whichever instance it was read
from, so a status seen through two instances is stored once. ``author`` is the
full ``user@host`` acct. Rate limits: Mastodon.py runs in ``throw`` mode, and
its ``MastodonRatelimitError`` becomes :class:`RateLimited` with the
instance's ``X-RateLimit-Reset``; requests never sleep inside the connector.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, unquote, urlsplit

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)
from pydantic import Field, SecretStr

from connectors import http
from connectors.base import Budget, ConnectorSettings, Mention, Page, Search
from connectors.errors import (
    CredentialsError,
    FatalError,
    RateLimited,
    RetriableError,
    SkippableRecord,
)
from connectors.htmltext import html_to_text
from connectors.querytext import branches, hashtags

log = logging.getLogger(__name__)

T = TypeVar("T")
USER_AGENT = "listener/0.1 (social listening; Mastodon.py)"


class MastodonSettings(ConnectorSettings):
    instances: list[str] = ["https://mastodon.social"]  # instances whose public hashtag timelines to read
    hashtags: list[str] = []  # without '#'; empty: hashtags and words of the topic queries
    access_token: SecretStr | None = None  # optional; enables full-text status search
    page_size: int = Field(40, ge=1, le=40)  # statuses per request (Mastodon's maximum is 40)


class MastodonConnector(http.HttpConnector):
    """Hashtag timelines and (with a token) status search on one or more instances."""

    name = "mastodon"
    query_syntax = "keywords"
    cursor_field = "min_id"
    sorted = True  # min_id paging walks forward in time
    user_agent = USER_AGENT
    Settings = MastodonSettings
    secrets = ("access_token",)

    def __init__(self, settings: ConnectorSettings, **injected: Any):
        super().__init__(settings, **injected)
        self._clients: dict[str, Mastodon] = {}

    @property
    def instances(self) -> list[str]:
        """Instance base URLs; ``base_url``, when set, replaces the list (sandbox, proxy)."""
        if self.settings.base_url:
            return [self.settings.base_url.rstrip("/")]
        return [url.rstrip("/") for url in self.settings.instances]

    def searches(self, topics: Iterable[Search]) -> list[Search]:
        topics = list(topics)
        streams: dict[str, Search] = {}
        for instance in self.instances:
            if self.settings.hashtags:
                for tag in self.settings.hashtags:
                    key = f"{instance}/tags/{tag.lstrip('#').lower()}"
                    streams.setdefault(key, Search(key=key))
            else:
                for topic in topics:
                    for tag in hashtags(topic.query or ""):
                        key = f"{instance}/tags/{tag}"
                        streams.setdefault(key, Search(key=key, topic=topic.topic, query=topic.query))
            if self.settings.access_token is not None:
                for topic in topics:
                    for branch in branches(topic.query or ""):
                        key = f"{instance}/search?q={quote(branch.render())}"
                        streams.setdefault(key, Search(key=key, topic=topic.topic, query=branch.render()))
        return list(streams.values())

    def _stream(self, search: Search) -> tuple[str, str, str]:
        """(kind, instance, tag or query) for a stream key; a bare topic reads its first hashtag."""
        if "/tags/" in search.key:
            instance, tag = search.key.rsplit("/tags/", 1)
            return "tag", instance, unquote(tag)
        if "/search?q=" in search.key:
            instance, _, _ = search.key.partition("/search?")
            query = parse_qs(urlsplit(search.key).query).get("q", [""])[0]
            return "search", instance, query
        tags = hashtags(search.query or "")
        if not tags:
            raise FatalError(f"no hashtag to read for {search.key!r} (set connectors.mastodon.hashtags)")
        return "tag", self.instances[0], tags[0]

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        try:
            kind, instance, what = self._stream(search)
            client = self._client(instance)
            if kind == "search":
                yield from self._search(client, instance, what, dict(state or {}), budget)
            else:
                yield from self._timeline(client, instance, what, dict(state or {}), budget)
        except FatalError:
            # The run ends here (bad credentials, gone endpoint…): release the pooled
            # sockets now rather than when the connector is garbage collected.
            self.close()
            raise

    def _timeline(self, client: Mastodon, instance: str, tag: str, state: dict[str, Any],
                  budget: Budget) -> Iterator[Page]:
        start: str | datetime = state.get(self.cursor_field) or self._backfill_start()
        while budget.allows_request() and not budget.exhausted:
            statuses = self._call(client, client.timeline_hashtag, tag, min_id=start,
                                  limit=self.settings.page_size)
            mentions, skipped, newest = self._convert(statuses, instance)
            if newest is None:
                yield Page(mentions, {self.cursor_field: start} if isinstance(start, str) else None,
                           skipped=skipped)
                return
            if isinstance(start, str) and newest <= int(start):
                log.warning("mastodon: %s #%s returned nothing newer than min_id %s; stopping",
                            instance, tag, start)
                return
            start = str(newest)
            yield Page(mentions, {self.cursor_field: start}, skipped=skipped)
            if len(statuses) < self.settings.page_size:
                return

    def _search(self, client: Mastodon, instance: str, query: str, state: dict[str, Any],
                budget: Budget) -> Iterator[Page]:
        bookmark = state.get(self.cursor_field)
        progress = dict(state.get("pass") or {"offset": 0, "newest": None})
        min_id = bookmark or self._backfill_start()
        while budget.allows_request() and not budget.exhausted:
            result = self._call(client, client.search_v2, query, resolve=False, result_type="statuses",
                                min_id=min_id, offset=progress["offset"], limit=self.settings.page_size)
            statuses = list(_get(result, "statuses") or [])
            mentions, skipped, newest = self._convert(statuses, instance)
            if newest is not None and (progress["newest"] is None or newest > int(progress["newest"])):
                progress["newest"] = str(newest)
            if len(statuses) < self.settings.page_size:
                done = progress["newest"] or bookmark
                yield Page(mentions, {self.cursor_field: done} if done else None, skipped=skipped)
                return
            progress["offset"] += len(statuses)
            marker = {"pass": dict(progress)}
            if bookmark:
                marker[self.cursor_field] = bookmark
            yield Page(mentions, marker, skipped=skipped)

    def _backfill_start(self) -> datetime:
        return self.clock() - timedelta(days=self.settings.backfill_days)

    def _convert(self, statuses: Any, instance: str) -> tuple[list[Mention], int, int | None]:
        if not isinstance(statuses, list):
            raise RetriableError(f"Mastodon {instance} sent something that is not a list of statuses")
        mentions, skipped, newest = [], 0, None
        for status in statuses:
            try:
                mentions.append(status_to_mention(status, instance))
                status_id = int(_get(status, "id"))
            except SkippableRecord as error:
                log.warning("mastodon: skipped a status from %s: %s", instance, error)
                skipped += 1
                continue
            newest = status_id if newest is None else max(newest, status_id)
        return mentions, skipped, newest

    def _client(self, instance: str) -> Mastodon:
        if instance not in self._clients:
            token = self.settings.access_token
            self._clients[instance] = Mastodon(
                api_base_url=instance,
                access_token=token.get_secret_value() if token else None,
                ratelimit_method="throw",
                session=self.http,
                user_agent=USER_AGENT,
                request_timeout=http.DEFAULT_TIMEOUT,
                version_check_mode="none",  # the version is probed only where a method needs it
            )
        return self._clients[instance]

    def _call(self, client: Mastodon, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        instance = client.api_base_url
        try:
            return method(*args, **kwargs)
        except MastodonRatelimitError as error:
            reset = client.ratelimit_reset
            reset_at = datetime.fromtimestamp(reset, UTC) if reset else None
            raise RateLimited(f"Mastodon {instance} rate limit reached", reset_at=reset_at) from error
        except MastodonUnauthorizedError as error:
            raise CredentialsError(f"Mastodon {instance} refused the access token",
                                   config_key="connectors.mastodon.access_token") from error
        except MastodonNotFoundError as error:
            raise FatalError(f"Mastodon {instance} has no such endpoint; is it a Mastodon instance? "
                             "(check connectors.mastodon.instances)") from error
        except (MastodonServerError, MastodonNetworkError) as error:
            raise RetriableError(f"Mastodon {instance} failed: {error}") from error
        except MastodonAPIError as error:
            if _unparsable(error):
                # A truncated or garbled body (e.g. a proxy cut the answer short) is transient:
                # the run stops and resumes from the last committed cursor next run.
                raise RetriableError(f"Mastodon {instance} sent a body that is not valid JSON") from error
            status = error.args[1] if len(error.args) > 1 else None
            if status in (401, 403):
                raise CredentialsError(
                    f"Mastodon {instance} refused access ({status}); this instance may require "
                    "login for public timelines or search", config_key="connectors.mastodon.access_token",
                ) from error
            if status == 429:
                raise RateLimited(f"Mastodon {instance} rate limit reached") from error
            raise FatalError(f"Mastodon {instance} answered an error: {error}") from error
        except MastodonError as error:
            raise RetriableError(f"Mastodon {instance} failed: {error}") from error



def _unparsable(error: MastodonAPIError) -> bool:
    """Whether Mastodon.py raised ``error`` because a 2xx body was not JSON (truncated, HTML…).

    Mastodon.py raises it from inside the ``except`` around ``response.json()``, so the
    decoding error is its context; its message is the fallback check.
    """
    if len(error.args) > 1 and isinstance(error.args[1], int):  # an HTTP error status
        return False
    if isinstance(error.__context__, ValueError):  # json / requests JSONDecodeError
        return True
    message = error.args[0] if error.args else ""
    return isinstance(message, str) and message.startswith("Could not parse response as JSON")


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise SkippableRecord(f"created_at {value!r} is not a time")


def status_to_mention(status: Any, instance: str) -> Mention:
    """One Mastodon status (Mastodon.py object or plain dict) as a Mention."""
    if not isinstance(status, dict):
        raise SkippableRecord("a status must be an object")
    status_id = _get(status, "id")
    try:
        int(str(status_id))
    except ValueError:
        raise SkippableRecord(f"status id {status_id!r} is not a number") from None
    account = _get(status, "account")
    if not isinstance(account, dict) or not _get(account, "acct"):
        raise SkippableRecord(f"status {status_id} has no account")
    reblog = _get(status, "reblog")
    shown = reblog if isinstance(reblog, dict) else status
    host = urlsplit(instance).netloc
    acct = str(_get(account, "acct"))
    if "@" not in acct and host:
        acct = f"{acct}@{host}"
    content = _get(shown, "content")
    text = html_to_text(content if isinstance(content, str) else "")
    spoiler = _get(shown, "spoiler_text")
    if spoiler:
        text = f"{spoiler}\n\n{text}".strip()
    uri = _get(status, "uri") or _get(status, "url") or f"{instance}/statuses/{status_id}"
    language = _get(shown, "language")
    return Mention(
        source="mastodon",
        external_id=str(uri),
        text=text,
        created_at=_time(_get(status, "created_at")),
        author=acct,
        author_id=str(_get(account, "uri") or _get(account, "id") or "") or None,
        author_name=_get(account, "display_name") or None,
        author_followers=_count(_get(account, "followers_count")),
        url=_get(status, "url") or _get(shown, "url") or str(uri),
        lang=language[:16] if isinstance(language, str) and language else None,
        likes=_count(_get(shown, "favourites_count")),
        reposts=_count(_get(shown, "reblogs_count")),
        replies=_count(_get(shown, "replies_count")),
        is_repost=isinstance(reblog, dict),
        is_reply=bool(_get(status, "in_reply_to_id")),
        parent_id=str(_get(reblog, "uri")) if isinstance(reblog, dict) else (
            str(_get(status, "in_reply_to_id")) if _get(status, "in_reply_to_id") else None),
    )
