"""Hacker News through the Algolia search API (https://hn.algolia.com/api): no account needed.

Request: ``GET /api/v1/search_by_date?query=…&tags=(story,comment)
&numericFilters=created_at_i>=LO,created_at_i<HI&hitsPerPage=N&page=P``.

Query translation: Algolia has no boolean OR (every word is required) and no
reliable NOT. :meth:`HackerNewsConnector.searches` therefore makes one stream
per OR branch of a topic query (:mod:`connectors.querytext`), each sent as the
branch's words; phrases are quoted with ``advancedSyntax=true``. Negations are
left to the pipeline's local topic matcher. A query with several branches passed
straight to :meth:`fetch` is sent as one broad query with every word optional
(``optionalWords``), which Algolia answers with hits holding any of them.

Cursor (``created_at_i``, Unix seconds): results come newest first within a
window ``[LO, HI)``, and a query only reaches its first ~1,000 hits. A pass
fixes ``HI`` (now + 1) and pages through the window; when the reachable pages
run out while hits remain, the window slides down: ``HI`` becomes the oldest
hit's second + 1 (closed, the overlap is absorbed by the upsert) and paging
restarts. Pages carry the old bookmark plus a ``pass`` marker; the last page
promotes ``created_at_i`` to the newest hit seen (closed start, ``>=``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import requests
from pydantic import Field

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
from connectors.querytext import Branch, branches

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://hn.algolia.com"
ITEM_URL = "https://news.ycombinator.com/item?id={}"
USER_AGENT = "listener (+https://github.com/listener; social listening)"


class HackerNewsSettings(ConnectorSettings):
    tags: str = "(story,comment)"  # Algolia tags filter: stories and comments
    hits_per_page: int = Field(100, ge=1, le=1000)


class HackerNewsConnector(http.HttpConnector):
    """Stories and comments matching a topic, newest first within a sliding time window."""

    name = "hackernews"
    query_syntax = "keywords"
    cursor_field = "created_at_i"
    sorted = False  # newest first within a window: bookmark promoted at the end of a pass
    user_agent = USER_AGENT
    Settings = HackerNewsSettings

    def __init__(self, settings: ConnectorSettings, **injected: Any):
        super().__init__(settings, **injected)
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")

    def searches(self, topics: Iterable[Search]) -> list[Search]:
        result = []
        for topic in topics:
            if not topic.query:
                continue
            for branch in branches(topic.query):
                text = branch.render()
                result.append(Search(key=f"{topic.key}|{text}", topic=topic.topic, query=text))
        return result

    def _params(self, search: Search) -> dict[str, str]:
        parts = branches(search.query or "")
        if not parts:
            raise FatalError(f"query {search.query!r} has no term to search Hacker News for")
        words = [_algolia_term(t) for b in parts for t in b.terms]
        params = {"query": " ".join(dict.fromkeys(words)), "tags": self.settings.tags,
                  "hitsPerPage": str(self.settings.hits_per_page)}
        if any(t.kind == "phrase" for b in parts for t in b.terms):
            params["advancedSyntax"] = "true"
        if len(parts) > 1:
            params["optionalWords"] = " ".join(w for b in parts for w in _branch_words(b))
        return params

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        params = self._params(search)
        now = int(self.clock().timestamp())
        state = dict(state or {})
        low = int(state.get(self.cursor_field, now - self.settings.backfill_days * 86_400))
        progress = dict(state.get("pass") or {"high": now + 1, "page": 0, "newest": None})
        while budget.allows_request() and not budget.exhausted:
            high, page = int(progress["high"]), int(progress["page"])
            data = self._get({**params, "page": str(page),
                              "numericFilters": f"created_at_i>={low},created_at_i<{high}"})
            hits = data.get("hits")
            if not isinstance(hits, list):
                raise RetriableError("Hacker News answered without a hits list")
            mentions, skipped, times = [], 0, []
            for hit in hits:
                try:
                    mention = hit_to_mention(hit)
                except SkippableRecord as error:
                    log.warning("hackernews: skipped a hit: %s", error)
                    skipped += 1
                    continue
                mentions.append(mention)
                times.append(int(mention.created_at.timestamp()))
            if times:
                progress["newest"] = max([*times, progress["newest"] or 0])
            nb_pages, nb_hits = _int(data.get("nbPages")), _int(data.get("nbHits"))
            per_page = _int(data.get("hitsPerPage")) or self.settings.hits_per_page
            if hits and page + 1 < nb_pages:
                progress["page"] = page + 1
            elif hits and times and nb_hits > (page + 1) * per_page and min(times) + 1 < high:
                progress.update(high=min(times) + 1, page=0)  # slide the window down
            else:
                if hits and nb_hits > (page + 1) * per_page:
                    log.warning("hackernews: more than %d hits in one second for %r; some are "
                                "out of reach", (page + 1) * per_page, search.query)
                bookmark = max(low, progress["newest"] or low)
                yield Page(mentions, {self.cursor_field: bookmark}, skipped=skipped)
                return
            yield Page(mentions, {self.cursor_field: low, "pass": dict(progress)}, skipped=skipped)

    def _get(self, params: dict[str, str]) -> dict[str, Any]:
        url = f"{self.base_url}/api/v1/search_by_date"
        try:
            response = self.http.get(url, params=params)
        except requests.RequestException as error:
            raise RetriableError(f"Hacker News did not answer: {error}") from error
        if response.status_code == 429:
            raise RateLimited("Hacker News (Algolia) rate limit reached",
                              reset_at=http.reset_at(response.headers), response=response)
        if response.status_code in (401, 403):
            raise CredentialsError(f"Hacker News refused the request ({response.status_code})",
                                   config_key="connectors.hackernews.base_url")
        if response.status_code >= 500:
            raise RetriableError(f"Hacker News answered {response.status_code}", response=response)
        if response.status_code >= 400:
            raise FatalError(f"Hacker News answered {response.status_code}: {response.text[:200]}")
        try:
            data = response.json()
        except ValueError as error:
            raise RetriableError("Hacker News sent a body that is not JSON", response=response) from error
        if not isinstance(data, dict):
            raise RetriableError("Hacker News sent an unexpected JSON body", response=response)
        return data



def _algolia_term(term: Any) -> str:
    return f'"{term.value}"' if term.kind == "phrase" else term.value


def _branch_words(branch: Branch) -> list[str]:
    return [_algolia_term(t) for t in branch.terms]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def hit_to_mention(hit: Any) -> Mention:
    """One Algolia hit (story or comment) as a Mention; SkippableRecord when malformed."""
    if not isinstance(hit, dict):
        raise SkippableRecord("a hit must be a JSON object")
    object_id = hit.get("objectID")
    if not object_id or not isinstance(object_id, str | int):
        raise SkippableRecord("hit without objectID")
    created = hit.get("created_at_i")
    if isinstance(created, int) and not isinstance(created, bool):
        created_at = datetime.fromtimestamp(created, UTC)
    elif isinstance(hit.get("created_at"), str):
        try:
            created_at = datetime.fromisoformat(hit["created_at"].replace("Z", "+00:00"))
        except ValueError:
            raise SkippableRecord(f"hit {object_id}: bad created_at") from None
    else:
        raise SkippableRecord(f"hit {object_id}: no creation time")
    tags = hit.get("_tags") or []
    author = hit.get("author") if isinstance(hit.get("author"), str) else None
    common: dict[str, Any] = {
        "source": "hackernews", "external_id": str(object_id), "created_at": created_at,
        "author": author, "author_id": author, "url": ITEM_URL.format(object_id), "raw": hit,
    }
    comment = hit.get("comment_text")
    if "comment" in tags or (comment and not hit.get("title")):
        text = html_to_text(comment if isinstance(comment, str) else "")
        if not text:
            raise SkippableRecord(f"comment {object_id} has no text")
        parent = hit.get("story_id") or hit.get("parent_id")
        return Mention(text=text, is_reply=True, parent_id=str(parent) if parent else None,
                       likes=_count(hit.get("points")), **common)
    title = hit.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SkippableRecord(f"story {object_id} has no title")
    body = html_to_text(hit.get("story_text") if isinstance(hit.get("story_text"), str) else "")
    link = hit.get("url") if isinstance(hit.get("url"), str) and hit.get("url") else None
    text = "\n\n".join(part for part in (title.strip(), body, link) if part)
    return Mention(text=text, title=title.strip(), likes=_count(hit.get("points")),
                   replies=_count(hit.get("num_comments")), **common)
