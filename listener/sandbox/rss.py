"""RSS feeds for the ``rss`` connector: a news-search feed and a few publisher feeds.

``GET /rss/search?q=…`` answers like Google News RSS search (RSS 2.0,
``<generator>NFE/5.0</generator>``, ``guid isPermaLink="false"``, HTML
``description``, ``<source url=…>``); ``q`` takes OR, ``-word`` and
``"phrases"`` (listener's query language reads the same syntax).
``GET /feeds/{name}.xml`` is a publisher's feed: every world ``rss`` post whose
id falls in that publisher's share; ``/feeds/broken.xml`` is the same feed cut
off before ``</rss>`` (ill-formed: feedparser sets ``bozo`` but keeps entries).

Every feed answers ``ETag`` and ``Last-Modified``, and 304 to a matching
``If-None-Match`` / ``If-Modified-Since``. Feeds hold the newest 100 items.
Syndication: copies of a text (the world's "copies") appear with the same
title under another publisher's link, so ``story_key`` groups them by title.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from xml.sax.saxutils import escape

from listener.query import QuerySyntaxError, parse
from listener.sandbox.server import Call, Reply, Route
from listener.sandbox.world import Post

NAME = "rss"
CREDENTIALS: dict[str, Any] = {}
PUBLISHERS = ("press", "trade", "blog")
WINDOW = 100
_CONTENT_TYPE = "application/rss+xml; charset=utf-8"


def connector_settings(url: str) -> dict[str, Any]:
    return {
        "feeds": [f"{url}/feeds/{name}.xml" for name in PUBLISHERS],
        "news_search": True,
        "news_search_url": f"{url}/rss/search?q={{query}}&hl=en-US&gl=US&ceid=US:en",
    }


def rate_limit_headers(reset_seconds: float) -> dict[str, str]:
    return {"retry-after": str(int(reset_seconds))}


def break_item(item: str) -> str:
    return "<item><pubDate>not a date</pubDate></item>"


def publisher(post: Post) -> str:
    return PUBLISHERS[int(post.id) % len(PUBLISHERS)]


def item_xml(post: Post) -> str:
    title = post.text.split(". ")[0][:120]
    source = publisher(post)
    link = f"https://{source}.coffee-news.example/articles/{post.id}?utm_medium=rss"
    return (
        "<item>"
        f"<title>{escape(title)}</title>"
        f"<link>{escape(link)}</link>"
        f'<guid isPermaLink="false">{source}-{post.id}</guid>'
        f"<pubDate>{format_datetime(post.created_at, usegmt=True)}</pubDate>"
        f"<description>{escape(f'<p>{escape(post.text)}</p>')}</description>"
        f"<author>{escape(post.author)}@{source}.example ({escape(post.author_name)})</author>"
        f'<source url="https://{source}.coffee-news.example">{source.title()} News</source>'
        "</item>"
    )


def _feed(call: Call, posts: list[Post], title: str, stream: str, *, broken: bool = False) -> Reply:
    posts = posts[-WINDOW:][::-1]
    items = call.items([item_xml(post) for post in posts], stream, break_item)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://coffee-news.example</link>"
        "<generator>NFE/5.0</generator><language>en-US</language>"
        f"<description>{escape(title)}</description>"
        + "".join(items)
        + "</channel></rss>"
    )
    if broken:
        body = body[:-1]  # "</rss" with no ">": truncated document
    etag = '"' + hashlib.sha1(body.encode()).hexdigest()[:16] + '"'
    newest = posts[0].created_at if posts else call.world.start
    modified = format_datetime(newest.replace(microsecond=0), usegmt=True)
    headers = {"ETag": etag, "Last-Modified": modified}
    if call.headers.get("If-None-Match") == etag or _not_modified_since(call, newest):
        return Reply(304, b"", headers, _CONTENT_TYPE)
    return Reply(200, body.encode(), headers, _CONTENT_TYPE)


def _not_modified_since(call: Call, newest: Any) -> bool:
    value = call.headers.get("If-Modified-Since")
    if not value or call.headers.get("If-None-Match"):
        return False  # If-None-Match wins when both are sent (RFC 9110)
    try:
        return newest.replace(microsecond=0) <= parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False


def news_search(call: Call) -> Reply:
    try:
        query = parse(call.arg("q") or "")
    except QuerySyntaxError:
        return _feed(call, [], "Google News", "rss:search:invalid")
    posts = [post for post in call.world.for_platform(NAME) if query.matches(post.text)]
    return _feed(call, posts, f"\"{call.arg('q')}\" - Google News", f"rss:search:{call.arg('q')}")


def publisher_feed(call: Call) -> Reply:
    name = call.match.group("name")
    broken = name == "broken"
    source = "press" if broken else name
    if source not in PUBLISHERS:
        return Reply(404, b"<html>no such feed</html>", content_type="text/html")
    posts = [post for post in call.world.for_platform(NAME) if publisher(post) == source]
    return _feed(call, posts, f"{source.title()} News", f"rss:feed:{name}", broken=broken)


ROUTES = (
    Route("GET", r"/rss/search", news_search),
    Route("GET", r"/feeds/(?P<name>[\w-]+)\.xml", publisher_feed),
)
