"""Bluesky through the atproto SDK: ``app.bsky.feed.searchPosts`` with an app password.

Bluesky's public API refuses unauthenticated search, so ``handle`` and
``app_password`` (Settings → Privacy and security → App passwords; never the
account password) are required; ``Client.login`` creates the session.

Query translation: searchPosts takes plain terms and ``"phrases"`` but has no
documented OR, so :meth:`BlueskyConnector.searches` makes one stream per OR
branch of a topic query (:mod:`connectors.querytext`); negations are applied
by the pipeline's local topic matcher. A multi-branch query passed straight to
:meth:`fetch` is sent with ``OR`` between branches (Lucene syntax, best effort).

Cursor ``since`` (ISO time, inclusive): results come newest first
(``sort=latest``), paged by an opaque ``cursor``. Pages carry the old ``since``
plus a ``pass`` marker (cursor, newest time seen); the last page of a pass
promotes ``since`` to the newest post's sort time (min of createdAt and
indexedAt, as the API filters on). A repeated cursor ends the pass.

``url`` is ``https://bsky.app/profile/{handle}/post/{rkey}``. Link URIs from
facets and link cards that the post text does not show in full are appended to
the text, so the first link of a post is findable (``listener.stories``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto import Client, models
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.request import Request
from pydantic import Field, SecretStr

from connectors import http
from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search
from connectors.boundedhttpx import BoundedTransport
from connectors.errors import (
    CredentialsError,
    FatalError,
    RateLimited,
    RetriableError,
    SkippableRecord,
)
from connectors.pagination import Paginator, RepeatedToken
from connectors.querytext import branches

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bsky.social"
POST_URL = "https://bsky.app/profile/{handle}/post/{rkey}"
KEY = "connectors.bluesky.app_password"
NEEDS_LOGIN = (
    "Bluesky's public API refuses unauthenticated search: set connectors.bluesky.handle and "
    "connectors.bluesky.app_password (create an app password in Bluesky's settings)"
)


class BlueskySettings(ConnectorSettings):
    handle: str | None = None  # the account that searches, e.g. "acme.bsky.social"
    app_password: SecretStr | None = None  # an app password, never the account password
    page_size: int = Field(100, ge=1, le=100)  # posts per request (API maximum 100)


class BlueskyConnector(Connector):
    """Post search, newest first, one stream per OR branch of a topic query."""

    name = "bluesky"
    query_syntax = "keywords"
    cursor_field = "since"
    sorted = False  # newest first: the bookmark is promoted when a pass completes
    Settings = BlueskySettings
    secrets = ("app_password",)

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        client: Client | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(settings)
        self._client = client
        self._logged_in = False
        if clock is not None:
            self.clock = clock  # type: ignore[method-assign]

    def searches(self, topics: Iterable[Search]) -> list[Search]:
        streams: dict[str, Search] = {}
        for topic in topics:
            for branch in branches(topic.query or ""):
                text = branch.render()
                key = f"{topic.key}|{text}"
                streams.setdefault(key, Search(key=key, topic=topic.topic, query=text))
        return list(streams.values())

    def client(self) -> Client:
        """The logged-in client (created and logged in on first use)."""
        if self._client is None:
            self._client = Client(base_url=self.settings.base_url or DEFAULT_BASE_URL,
                                  request=Request(transport=BoundedTransport(self.limits)))
        if not self._logged_in:
            handle, password = self.settings.handle, self.settings.app_password
            if not handle or password is None or not password.get_secret_value():
                raise CredentialsError(NEEDS_LOGIN, config_key=KEY)
            self._call(lambda: self._client.login(handle, password.get_secret_value(),
                                                  fetch_bsky_profile=False), action="log in")
            self._logged_in = True
        return self._client

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        try:
            yield from self._fetch(search, state, budget)
        except FatalError:
            # The run ends here (refused login, rejected query…): close the SDK's httpx
            # client now, so its pooled socket does not wait for the garbage collector.
            self.close()
            raise

    def _fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        parts = branches(search.query or "")
        if not parts:
            raise FatalError(f"query {search.query!r} has no term to search Bluesky for")
        q = " OR ".join(f"({b.render()})" if len(b.terms) > 1 else b.render() for b in parts) \
            if len(parts) > 1 else parts[0].render()
        state = dict(state or {})
        since = state.get(self.cursor_field) or _iso(
            self.clock() - timedelta(days=self.settings.backfill_days))
        progress = dict(state.get("pass") or {"cursor": None, "newest": None})
        pages: Paginator[str] = Paginator("Bluesky", progress["cursor"])
        while budget.allows_request() and not budget.exhausted:
            client = self.client()
            params = models.AppBskyFeedSearchPosts.Params(
                q=q, limit=self.settings.page_size, sort="latest", since=since,
                cursor=progress["cursor"],
            )
            response = self._call(lambda p=params, c=client: c.invoke_query(
                "app.bsky.feed.searchPosts", params=p, output_encoding="application/json"),
                action="search")
            content = response.content
            posts = content.get("posts") if isinstance(content, dict) else None
            if not isinstance(posts, list):
                raise RetriableError("Bluesky answered searchPosts without a posts list")
            mentions, skipped = [], 0
            for post in posts:
                try:
                    mention, sort_at = post_to_mention(post)
                except SkippableRecord as error:
                    log.warning("bluesky: skipped a post: %s", error)
                    skipped += 1
                    continue
                mentions.append(mention)
                if progress["newest"] is None or sort_at > progress["newest"]:
                    progress["newest"] = sort_at
            cursor = content.get("cursor")
            try:
                more = bool(posts) and isinstance(cursor, str) and pages.advance(cursor)
            except RepeatedToken as error:
                log.warning("bluesky: %s (query %r); ending the pass", error, q)
                more = False
            if not more:
                yield Page(mentions, {self.cursor_field: max(since, progress["newest"] or since)},
                           skipped=skipped)
                return
            progress["cursor"] = pages.token
            yield Page(mentions, {self.cursor_field: since, "pass": dict(progress)}, skipped=skipped)

    def _call(self, action_fn: Callable[[], Any], *, action: str) -> Any:
        try:
            return action_fn()
        except RateLimitExceededError as error:
            headers = error.response.headers if error.response else {}
            raise RateLimited("Bluesky rate limit reached",
                              reset_at=error.reset_at or http.reset_at(headers)) from error
        except UnauthorizedError as error:
            self._logged_in = False
            raise CredentialsError(f"Bluesky refused to {action} ({error}). " + NEEDS_LOGIN,
                                   config_key=KEY) from error
        except BadRequestError as error:
            if action == "log in":
                raise CredentialsError(f"Bluesky refused the login ({error})", config_key=KEY) from error
            raise FatalError(f"Bluesky rejected the search: {error}") from error
        except (NetworkError, RequestException) as error:
            raise RetriableError(f"Bluesky failed to {action}: {error}") from error
        except AtProtocolError as error:  # model errors: a body that is not what the lexicon says
            raise RetriableError(f"Bluesky sent an unexpected answer to {action}: {error}") from error
        except ValueError as error:  # a truncated or non-JSON body (pydantic_core.from_json): transient
            raise RetriableError(f"Bluesky sent a body that is not valid JSON to {action}: {error}") from error

    def clock(self) -> datetime:
        return datetime.now(UTC)

    def close(self) -> None:
        if self._client is not None:
            self._client.request.close()  # the SDK's httpx.Client
        self._client = None
        self._logged_in = False


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise SkippableRecord(f"{what} {value!r} is not a time")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SkippableRecord(f"{what} {value!r} is not a time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _links(record: dict[str, Any]) -> list[str]:
    links = []
    for facet in record.get("facets") or []:
        for feature in (facet.get("features") or []) if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and isinstance(feature.get("uri"), str):
                links.append(feature["uri"])
    embed = record.get("embed")
    external = embed.get("external") if isinstance(embed, dict) else None
    if isinstance(external, dict) and isinstance(external.get("uri"), str):
        links.append(external["uri"])
    return [link for link in dict.fromkeys(links) if link.startswith(("http://", "https://"))]


def post_to_mention(post: Any) -> tuple[Mention, str]:
    """A ``postView`` dict as (Mention, sort time as ISO); SkippableRecord when malformed."""
    if not isinstance(post, dict):
        raise SkippableRecord("a post must be an object")
    uri, author, record = post.get("uri"), post.get("author"), post.get("record")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise SkippableRecord(f"post uri {uri!r} is not an at:// URI")
    if not isinstance(author, dict) or not isinstance(author.get("handle"), str):
        raise SkippableRecord(f"post {uri} has no author handle")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise SkippableRecord(f"post {uri} has no text")
    created = _time(record.get("createdAt"), "createdAt")
    indexed = _time(post["indexedAt"], "indexedAt") if post.get("indexedAt") else created
    text = record["text"]
    extra = [link for link in _links(record) if link not in text]
    if extra:
        text = "\n\n".join([text, *extra]).strip()
    langs = record.get("langs")
    lang = langs[0][:16] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    handle = author["handle"]
    mention = Mention(
        source="bluesky",
        external_id=uri,
        text=text,
        created_at=created,
        author=handle,
        author_id=author.get("did") if isinstance(author.get("did"), str) else None,
        author_name=author.get("displayName") or None,
        url=POST_URL.format(handle=handle, rkey=uri.rsplit("/", 1)[-1]),
        lang=lang,
        likes=_count(post.get("likeCount")),
        reposts=_count(post.get("repostCount")),
        replies=_count(post.get("replyCount")),
        is_reply=isinstance(reply, dict),
        parent_id=parent.get("uri") if isinstance(parent, dict) else None,
    )
    return mention, _iso(min(created, indexed))
