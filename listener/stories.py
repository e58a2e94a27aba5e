"""One story, many copies.

The same article is syndicated across feeds, submitted to Hacker News, and
linked from posts on several platforms. Every copy stays stored as its own
mention; they share a ``story_key`` so the digest counts one story with N
copies rather than N conversations.

``story_key(mention)``:

1. the canonical URL of the linked article: the mention's own ``url`` for news
   items (RSS entries, Hacker News stories), else the first link in its text;
   canonical means lower-case scheme and host, no ``www.``, no tracking
   parameters (``utm_*``, ``fbclid``, ``gclid``…), no fragment, no trailing
   slash, remaining query parameters sorted;
2. else, for news items (those with a title), ``title:`` + a hash of the
   normalised title, so the same story syndicated under different URLs with
   the same headline groups together;
3. else ``None``: an ordinary post is its own conversation.

Platform permalinks (a post's own page on x.com, bsky.app, a Mastodon
instance, news.ycombinator.com/item…) are not articles, so they never become
a key from a post's own ``url`` field; a post that *links* to one in its text
still groups with other posts linking to it.

``group_stories(rows)`` folds rows carrying ``story_key`` and ``created_at``
into :class:`Story` tuples (key, copies, first seen), biggest first; the digest
can use it on the mentions of a period (or run the same GROUP BY in SQL over
the indexed ``mentions.story_key`` column).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from listener.query import normalize

__all__ = ["Story", "canonical_url", "group_stories", "story_key", "title_key"]

_URL_RE = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?»”’'\""
_TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "ref_src"}
# A mention's own URL on these sources is its permalink, not an article.
_NEWS_SOURCES = {"rss", "hackernews", "file"}
_HN_ITEM = "news.ycombinator.com/item"


def canonical_url(url: str) -> str | None:
    """``url`` in canonical form, or None when it is not an http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        return None
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING
    ]
    path = parts.path.rstrip("/")
    # http and https copies of one article are one story: the key uses https.
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def title_key(title: str) -> str | None:
    """``title:`` + a short hash of the normalised title (case, accents, punctuation ignored)."""
    words = re.findall(r"\w+", normalize(title))
    if not words:
        return None
    return "title:" + hashlib.sha1(" ".join(words).encode()).hexdigest()[:20]


def _get(mention: Any, name: str) -> Any:
    if isinstance(mention, Mapping):
        return mention.get(name)
    return getattr(mention, name, None)


def story_key(mention: Any) -> str | None:
    """The key shared by every copy of the story ``mention`` is about, or None (see module doc).

    ``mention`` is a :class:`connectors.base.Mention` or a mapping with the same fields.
    """
    source = _get(mention, "source")
    url = _get(mention, "url")
    title = _get(mention, "title")
    text = _get(mention, "text") or ""
    if url and (source in _NEWS_SOURCES or title) and _HN_ITEM not in url:
        key = canonical_url(url)
        if key:
            return key[:255]
    for match in _URL_RE.finditer(text):
        key = canonical_url(match.group(0).rstrip(_TRAILING_PUNCT))
        if key:
            return key[:255]
    if title:
        return title_key(title)
    return None


@dataclass(frozen=True, slots=True)
class Story:
    key: str
    count: int  # copies: mentions sharing the key
    first: Any  # the earliest row (carries created_at, url, title…)


def group_stories(rows: Iterable[Any], *, min_count: int = 1) -> list[Story]:
    """Group rows (mappings or objects with ``story_key`` and ``created_at``) by story.

    Rows without a key are left out. Stories with fewer than ``min_count``
    copies are dropped. Biggest story first; ties by earliest appearance.
    """
    counts: dict[str, int] = {}
    first: dict[str, Any] = {}
    for row in rows:
        key = _get(row, "story_key")
        if not key:
            continue
        counts[key] = counts.get(key, 0) + 1
        current = first.get(key)
        if current is None or _earlier(_get(row, "created_at"), _get(current, "created_at")):
            first[key] = row
    stories = [Story(key, count, first[key]) for key, count in counts.items() if count >= min_count]
    stories.sort(key=lambda s: s.key)
    stories.sort(key=_first_seen)
    stories.sort(key=lambda s: -s.count)  # stable: ties stay earliest first
    return stories


def _first_seen(story: Story) -> tuple[bool, float]:
    created = _get(story.first, "created_at")
    return (created is None, created.timestamp() if created is not None else 0.0)


def _earlier(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a < b)
