"""RSS and Atom feeds through feedparser: company blogs, trade press, news-search feeds. No account.

Streams (:meth:`RssConnector.searches`): one per URL in ``feeds``, and with
``news_search = true`` one news-search feed per topic, built from the topic's
query with ``news_search_url`` (Google News RSS search by default; its syntax
takes ``OR``, ``-word`` and ``"phrases"``, so the whole query is translated).

Each fetch is one conditional GET (``If-None-Match`` / ``If-Modified-Since``
from the stored ``etag`` / ``last_modified``); 304 means nothing new. The body
is parsed by ``feedparser.parse(bytes)``. A feed is a single page, so the page
carries the new validators and completes the pass.

* ``external_id``: the entry's guid/id when it looks globally unique (holds a
  ``:``, as URLs, ``tag:`` and ``urn:`` ids do), else the feed URL + ``#`` +
  guid; without a guid, the link; without either, a hash of the feed URL, title
  and summary. Re-fetched entries are upserts; duplicates within one document
  are dropped.
* ``created_at``: ``published``, else ``updated``; an entry with no date gets
  the fetch time (so it counts in the week it was first seen).
* ``text``: title + summary with HTML stripped (the link when both are empty);
  ``title`` kept; ``lang`` only from the entry itself: a feed-level tag (a news
  search feed says "en-US" whatever language its headlines are in) is not a
  reliable per-item language, so those entries go to the language detector.
* Ill-formed feeds (feedparser's ``bozo``) are tolerated: whatever entries were
  parsed are stored, the problem is logged and counted in ``Page.skipped``
  (one per broken document, plus one per unusable entry). A *truncated* body
  (an entry left open, or no closing ``channel``/``feed``) is not: its last
  entry may have lost its guid, and the entries after the cut are missing, so
  it raises :class:`RetriableError`, stores nothing and keeps the old
  validators; the feed is read again next run.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, urlsplit, urlunsplit

import feedparser
import requests

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

log = logging.getLogger(__name__)

GOOGLE_NEWS = "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en"
USER_AGENT = "listener/0.1 (feed reader; +https://github.com/listener)"
_MAX_ID = 255


class RssSettings(ConnectorSettings):
    feeds: list[str] = []  # feed URLs: company blogs, trade press, competitors' newsrooms
    news_search: bool = False  # also read one news-search feed per topic
    news_search_url: str = GOOGLE_NEWS  # {query} is replaced by the URL-encoded topic query


class RssConnector(http.HttpConnector):
    """Feeds by URL, read with conditional GET; a feed is one page."""

    name = "rss"
    query_syntax = "news"
    cursor_field = "etag"
    sorted = False  # feed order is not guaranteed; one page per pass, so it always completes
    user_agent = USER_AGENT
    Settings = RssSettings

    def searches(self, topics: Iterable[Search]) -> list[Search]:
        streams = {url: Search(key=url) for url in self.settings.feeds}
        if self.settings.news_search:
            for topic in topics:
                if topic.query:
                    url = self.news_search_url(topic.query)
                    streams.setdefault(url, Search(key=url, topic=topic.topic, query=topic.query))
        return list(streams.values())

    def news_search_url(self, query: str) -> str:
        """The news-search feed URL for a query in news syntax (``base_url`` replaces its host, if set)."""
        url = self.settings.news_search_url.replace("{query}", quote_plus(query))
        if self.settings.base_url:
            base, parts = urlsplit(self.settings.base_url.rstrip("/")), urlsplit(url)
            url = urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))
        return url

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        try:
            yield from self._fetch(search, state, budget)
        except FatalError:
            self.close()  # the run ends here: release the pooled sockets now
            raise

    def _fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        if not budget.allows_request() or budget.exhausted:
            return
        url = search.key
        state = dict(state or {})
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        response = self._get(url, headers)
        if response.status_code == 304:
            yield Page([], None)
            return
        fetched_at = self.clock()
        parsed = feedparser.parse(response.content, response_headers={
            key.lower(): value for key, value in response.headers.items()
        })
        if not parsed.entries and not parsed.get("version"):
            log.warning("rss: %s did not answer a feed (%s); will ask again next run",
                        url, parsed.get("bozo_exception") or response.headers.get("Content-Type"))
            yield Page([], None, skipped=1)  # keep the old validators: nothing was read
            return
        if parsed.get("bozo") and _truncated(response.content, parsed.get("encoding")):
            # The body was cut short (a dropped connection, a proxy): its last entry may have
            # lost its guid (so its id would degrade to the link or a hash) and the entries
            # after the cut are missing. Storing it with the new validators would make the
            # next conditional GET answer 304 and lose them for good, so nothing is stored
            # and the whole feed is read again next run.
            raise RetriableError(f"feed {url} was cut short ({parsed.get('bozo_exception')}); "
                                 "will read it again next run", response=response)
        skipped = 0
        if parsed.get("bozo"):
            log.warning("rss: %s is ill-formed (%s); keeping the %d entries parsed",
                        url, parsed.get("bozo_exception"), len(parsed.entries))
            skipped += 1
        mentions: dict[str, Mention] = {}
        for entry in parsed.entries:
            try:
                mention = entry_to_mention(entry, feed_url=url, fetched_at=fetched_at)
            except SkippableRecord as error:
                log.warning("rss: skipped an entry of %s: %s", url, error)
                skipped += 1
                continue
            mentions.setdefault(mention.external_id, mention)
        new_state = {key: value for key, value in (
            ("etag", response.headers.get("ETag")),
            ("last_modified", response.headers.get("Last-Modified")),
        ) if value}
        yield Page(list(mentions.values()), new_state, skipped=skipped)

    def _get(self, url: str, headers: dict[str, str]) -> requests.Response:
        try:
            response = self.http.get(url, headers=headers)
        except requests.RequestException as error:
            raise RetriableError(f"feed {url} did not answer: {error}") from error
        if response.status_code == 429:
            raise RateLimited(f"feed {url} asked us to slow down",
                              reset_at=http.reset_at(response.headers), response=response)
        if response.status_code in (401, 403):
            raise CredentialsError(f"feed {url} refused access ({response.status_code})",
                                   config_key="connectors.rss.feeds")
        if response.status_code >= 500:
            raise RetriableError(f"feed {url} answered {response.status_code}", response=response)
        if response.status_code >= 400:
            raise FatalError(f"feed {url} answered {response.status_code} (connectors.rss.feeds)")
        return response



def _lang(tag: Any) -> str | None:
    return tag.strip().lower()[:16] or None if isinstance(tag, str) else None


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


_PREFIX = r"(?:[\w.-]+:)?"
_ITEM_OPEN = re.compile(rf"<{_PREFIX}(?:item|entry)(?=[\s/>])", re.IGNORECASE)
_ITEM_EMPTY = re.compile(rf"<{_PREFIX}(?:item|entry)(?:\s[^<>]*)?/>", re.IGNORECASE)
_ITEM_CLOSE = re.compile(rf"</{_PREFIX}(?:item|entry)\s*>", re.IGNORECASE)
_CONTAINER_CLOSE = re.compile(rf"</{_PREFIX}(?:channel|feed|rdf|rss)\b", re.IGNORECASE)


def _truncated(body: bytes, encoding: str | None) -> bool:
    """Whether an ill-formed feed document was cut off before its entries were all closed.

    A document that is merely ill-formed (a bad ``&``, a missing ``>`` after its last
    entry) still closes every ``item``/``entry`` and then its ``channel``/``feed``; a
    truncated one leaves an entry open, or stops before the container is closed.
    """
    try:
        text = body.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    opened = len(_ITEM_OPEN.findall(text)) - len(_ITEM_EMPTY.findall(text))
    closes = list(_ITEM_CLOSE.finditer(text))
    if opened > len(closes):
        return True
    tail = text[closes[-1].end():] if closes else text
    return _CONTAINER_CLOSE.search(tail) is None


def _bounded(identifier: str) -> str:
    if len(identifier) <= _MAX_ID:
        return identifier
    return "sha1:" + hashlib.sha1(identifier.encode()).hexdigest()


def entry_to_mention(entry: Any, *, feed_url: str, fetched_at: datetime) -> Mention:
    """One feedparser entry as a Mention; SkippableRecord when it has nothing to identify or say."""
    title = html_to_text(entry.get("title")) or None
    summary = html_to_text(entry.get("summary") or "")
    if not summary and entry.get("content"):
        summary = html_to_text(entry["content"][0].get("value"))
    link = entry.get("link") or None
    guid = entry.get("id") or None
    if guid:
        external_id = guid if ":" in guid else f"{feed_url}#{guid}"
    elif link:
        external_id = link
    elif title or summary:
        digest = hashlib.sha1(f"{feed_url}\n{title}\n{summary}".encode()).hexdigest()
        external_id = f"sha1:{digest}"
    else:
        raise SkippableRecord("entry has no id, link, title or summary")
    # News-search summaries often repeat the headline: keep it once.
    if title and summary and summary.startswith(title):
        title_part = None
    else:
        title_part = title
    text = "\n\n".join(part for part in (title_part, summary) if part) or link or ""
    author = entry.get("author") or (entry.get("author_detail") or {}).get("name")
    return Mention(
        source="rss",
        external_id=_bounded(external_id),
        text=text,
        created_at=_when(entry) or fetched_at,
        author=author or None,
        author_name=author or None,
        url=link,
        title=title,
        lang=_lang(entry.get("language")),
    )
