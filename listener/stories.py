"""One story, many copies.

The same article is syndicated across feeds, submitted to Hacker News, and
linked from posts on several platforms. Every copy stays stored as its own
mention; they share a ``story_key`` so the digest counts one story with N
copies rather than N conversations.

``story_key(mention)``:

1. the canonical URL of the linked article: the mention's own ``url`` for news
   items (RSS entries, Hacker News stories), else the first link in its text
   (see :func:`canonical_url`: w3lib's canonical form plus listener's rules);
2. else, for news items (those with a title), ``title:`` + a hash of the
   normalised title, so the same story syndicated under different URLs with
   the same headline groups together;
3. else, for a repost (a retweet, a boost) of a post, ``post:<source>:<id>`` of
   the post it repeats: the same key an original without a key stands for in
   the analysis (``listener.analysis.common.story``), so a retweet and its
   original count and list once;
4. else ``None``: an ordinary post is its own conversation.

Platform permalinks (a post's own page on x.com, bsky.app, a Mastodon
instance, news.ycombinator.com/item…) are not articles, so they never become
a key from a post's own ``url`` field; a post that *links* to one in its text
still groups with other posts linking to it.

``group_stories(rows)`` folds rows carrying ``story_key`` and ``created_at``
into :class:`Story` tuples (key, copies, first seen), biggest first; the digest
can use it on the mentions of a period (or run the same GROUP BY in SQL over
the indexed ``mentions.story_key`` column).

Keys are stored, so a change to these rules ships with a migration that
recomputes the stored keys (``storage/migrations/versions/*_story_keys*``):
old and new copies of a story must keep meeting under one key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from w3lib.url import canonicalize_url

from connectors.base import Mention
from listener.query import normalize

__all__ = ["Story", "canonical_url", "find_urls", "group_stories", "post_key", "story_key", "title_key"]

# Parentheses are allowed inside a URL (Wikipedia's ``Foo_(bar)``); an unbalanced
# closing one is the text's, not the URL's (``(see https://a.example/x)``).
_URL_RE = re.compile(r"https?://[^\s<>\"'\[\]{}]+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?»”’'\""
# Query parameters that say who shared or clicked, never which page.
_TRACKING = {
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "twclid", "ttclid", "li_fat_id", "wbraid",
    "gbraid", "mc_cid", "mc_eid", "igshid", "igsh", "yclid", "ref", "ref_src", "ref_url",
    "referrer", "si", "smid", "smtyp", "ocid", "cmpid", "_ga", "_gl", "_hsenc", "_hsmi",
    "mkt_tok", "spm", "guccounter", "guce_referrer", "guce_referrer_sig", "feature", "share",
    "s_cid", "amp", "outputtype", "output", "__twitter_impression",
}
_TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_", "itm_")
# ``output=amp``/``outputType=amp`` mean the AMP rendering; other values may pick the page.
_AMP_VALUED = {"output", "outputtype"}
# Mobile and AMP copies of a site: the first host label is dropped.
_MOBILE_LABELS = {"m", "mobile", "amp", "www"}
_HOST_ALIASES = {"twitter.com": "x.com", "mobile.twitter.com": "x.com"}
_HOST_RE = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|[0-9a-f:.]*:[0-9a-f:.]*")
# An ``amp`` path segment (``/news/amp/x``, ``/x/amp``) or suffix (``x.amp``, ``x.amp.html``).
_AMP_PATH = re.compile(r"/amp(?=/|$)|\.amp(?=(?:\.html?)?/?$)", re.IGNORECASE)
# A URL that canonicalize_url would leave as it is, bar the host's case: http(s), a host
# of plain lower-case labels, no port, user, query or fragment, and a path of
# unreserved characters without "." or ".." segments. Most links are like this,
# and w3lib's parse, quote and unparse cost more than everything else in story_key.
_PLAIN_URL = re.compile(
    r"https?://(?P<host>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)"
    r"(?P<path>(?:/(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*|\.[A-Za-z0-9_~-][A-Za-z0-9_.~-]*|\.\.[A-Za-z0-9_.~-]+)?)*)")
# A mention's own URL on these sources is its permalink, not an article.
_NEWS_SOURCES = {"rss", "hackernews", "file"}
_HN_ITEM = "news.ycombinator.com/item"
_AMP_CACHE = re.compile(r"(?i)https?://(?:[^/]+\.cdn\.ampproject\.org/[cv]/(s/)?"
                        r"|(?:www\.)?google\.[a-z.]+/amp/(s/)?)(.+)")


def canonical_url(url: str) -> str | None:
    """``url`` in canonical form, or None when it is not an http(s) URL with a host.

    w3lib does the RFC 3986 part (IDNA hosts, one percent-encoding of each
    character, unreserved characters decoded, sorted query, no fragment); on top
    come listener's rules: https, no ``www.``/mobile/AMP host or AMP path, no
    tracking parameters, no default port, no user info, no trailing slash.
    """
    split = _split(_unwrap_amp_cache(url.strip()))
    if split is None:
        return None
    hostname, raw_path, raw_query, port = split
    host = _canonical_host(hostname)
    if not _HOST_RE.fullmatch(host):
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = [(key, value) for key, value in parse_qsl(raw_query, keep_blank_values=True)
             if not _is_tracking(key, value)] if raw_query else []
    path = _AMP_PATH.sub("", raw_path).rstrip("/")
    if host == "youtu.be" and path.count("/") == 1:  # short links to a video
        host, path, query = "youtube.com", "/watch", sorted([*query, ("v", path[1:])])
    # http and https copies of one article are one story: the key uses https. What urlunsplit
    # would build: the host is never empty and the path is empty or starts with "/".
    encoded = urlencode(query) if query else ""
    return f"https://{host}{path}?{encoded}" if encoded else f"https://{host}{path}"


def _split(url: str) -> tuple[str, str, str, int | None] | None:
    """Host, path, query and port of ``url`` in w3lib's canonical form; None if not http(s)."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain:  # nothing for w3lib to change
        return plain["host"], plain["path"] or "/", "", None
    return _split_canonicalized(url)


def _split_canonicalized(url: str) -> tuple[str, str, str, int | None] | None:
    try:
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return None
        parts = urlsplit(canonicalize_url(url))
        return parts.hostname or "", parts.path, parts.query, parts.port
    except ValueError:  # malformed authority, port or IDNA label
        return None


def _unwrap_amp_cache(url: str) -> str:
    """The publisher's URL behind Google's AMP cache or AMP viewer, else ``url`` itself."""
    match = _AMP_CACHE.match(url)
    if not match:
        return url
    secure = match.group(1) or match.group(2)
    return ("https://" if secure else "http://") + match.group(3)


def _canonical_host(host: str) -> str:
    labels = host.lower().rstrip(".").split(".")
    # en.m.wikipedia.org, m.facebook.com, amp.theguardian.com, www.example.com
    labels = [label for i, label in enumerate(labels)
              if not (label in _MOBILE_LABELS and i < len(labels) - 2)]
    host = ".".join(labels)
    return _HOST_ALIASES.get(host, host)


def _is_tracking(key: str, value: str) -> bool:
    key = key.lower()
    if key in _AMP_VALUED:
        return value.lower() == "amp"
    return key in _TRACKING or key.startswith(_TRACKING_PREFIXES)


def find_urls(text: str) -> list[str]:
    """The http(s) URLs in ``text``, without the punctuation or bracket that closes a sentence."""
    urls: list[str] = []
    if "://" not in text:  # in every URL: one C-level search instead of the case-blind regex's scan
        return urls
    for match in _URL_RE.finditer(text):
        url = match.group(0)
        while True:
            trimmed = url.rstrip(_TRAILING_PUNCT)
            if trimmed.endswith(")") and trimmed.count("(") < trimmed.count(")"):
                trimmed = trimmed[:-1]
            if trimmed == url:
                break
            url = trimmed
        urls.append(url)
    return urls


def title_key(title: str) -> str | None:
    """``title:`` + a short hash of the normalised title (case, accents, punctuation ignored)."""
    words = re.findall(r"\w+", normalize(title))
    if not words:
        return None
    return "title:" + hashlib.sha1(" ".join(words).encode()).hexdigest()[:20]


def _getter(mention: Any) -> Callable[[str], Any]:
    """Reads a field of a Mention or of a mapping with the same fields (None if absent)."""
    if isinstance(mention, Mapping):
        return mention.get
    return lambda name: getattr(mention, name, None)


def _get(mention: Any, name: str) -> Any:
    return _getter(mention)(name)


_KEY_FIELDS = ("source", "url", "title", "text", "parent_id", "is_repost")
_key_fields = attrgetter(*_KEY_FIELDS)  # a Mention's, in one C call (an import asks for every mention's)


def story_key(mention: Any) -> str | None:
    """The key shared by every copy of the story ``mention`` is about, or None (see module doc).

    ``mention`` is a :class:`connectors.base.Mention` or a mapping with the same fields.
    """
    if type(mention) is Mention:
        fields = _key_fields(mention)
    else:
        fields = tuple(map(_getter(mention), _KEY_FIELDS))
    return _story_key(*fields)


def _story_key(source: Any, url: Any, title: Any, text: Any, parent: Any, is_repost: Any) -> str | None:
    text = text or ""
    if url and (source in _NEWS_SOURCES or title) and _HN_ITEM not in url:
        key = canonical_url(url)
        if key:
            return key[:255]
    for link in find_urls(text):
        key = canonical_url(link)
        if key:
            return key[:255]
    if title:
        return title_key(title)
    if is_repost and parent:
        return post_key(source, parent)
    return None


def post_key(source: str, external_id: str) -> str:
    """The story of one platform post: what a post without a key stands for, and what its reposts share."""
    return f"post:{source}:{external_id}"[:255]


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
