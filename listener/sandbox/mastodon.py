"""The Mastodon API subset Mastodon.py uses for the ``mastodon`` connector.

``GET /api/v1/timelines/tag/{tag}`` (``min_id``, ``max_id``, ``since_id``,
``limit`` ≤ 40; newest first; ``Link`` header with ``rel="next"`` (max_id) and
``rel="prev"`` (min_id) like Mastodon), ``GET /api/v2/search`` (``q``,
``type=statuses``, ``offset``, ``limit``, ``min_id``; needs the bearer token,
as full-text search does on Mastodon), ``GET /api/v1/instance`` and
``/api/v2/instance``. Every answer carries ``X-RateLimit-Limit/Remaining/Reset``
(ISO time); a 429 says ``Remaining: 0`` and when it resets.

Status ids are snowflakes made from the creation time, as Mastodon's are, so
Mastodon.py's ``min_id=<datetime>`` works. Each status carries its topic's
hashtags (from the topic query, as the connector derives them), linked in the
content and listed in ``tags``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from connectors.querytext import hashtags
from listener.platform_queries import render
from listener.query import QuerySyntaxError, parse
from listener.sandbox.server import Call, Reply, Route
from listener.sandbox.world import Post, World

NAME = "mastodon"
CREDENTIALS = {"access_token": "sandbox-mastodon-token"}
HOST = "fedi.example"
LIMIT = 300


def connector_settings(url: str) -> dict[str, Any]:
    return {"instances": [url], "access_token": CREDENTIALS["access_token"]}


def _reset_headers(remaining: int, reset_seconds: float) -> dict[str, str]:
    reset = datetime.now(UTC) + timedelta(seconds=reset_seconds)
    return {"X-RateLimit-Limit": str(LIMIT), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z")}


def rate_limit_headers(reset_seconds: float) -> dict[str, str]:
    return _reset_headers(0, reset_seconds)


def break_item(status: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in status.items() if key not in ("created_at", "account")}


def status_id(post: Post) -> int:
    """A snowflake: milliseconds since the epoch << 16, plus a per-post sequence."""
    return (int(post.created_at.timestamp() * 1000) << 16) + int(post.id) % 65_536


def tags_of(world: World, post: Post) -> list[str]:
    topic = next((t for t in world.topics if t.name == post.topic), None)
    return hashtags(render("keywords", topic.query)) if topic else []


def status(world: World, post: Post, base_url: str) -> dict[str, Any]:
    sid = str(status_id(post))
    tags = tags_of(world, post)
    links = " ".join(
        f'<a href="{base_url}/tags/{quote(tag)}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
        for tag in tags
    )
    return {
        "id": sid,
        "created_at": post.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "in_reply_to_id": None, "in_reply_to_account_id": None, "sensitive": False,
        "spoiler_text": "", "visibility": "public", "language": post.lang,
        "uri": f"https://{HOST}/users/{post.author}/statuses/{sid}",
        "url": f"https://{HOST}/@{post.author}/{sid}",
        "replies_count": post.replies, "reblogs_count": post.reposts, "favourites_count": post.likes,
        "edited_at": None, "content": f"<p>{escape(post.text)}</p><p>{links}</p>", "reblog": None,
        "account": {
            "id": post.author_id, "username": post.author, "acct": post.author,
            "display_name": post.author_name, "locked": False, "bot": False,
            "created_at": "2020-01-01T00:00:00.000Z", "note": "", "url": f"https://{HOST}/@{post.author}",
            "uri": f"https://{HOST}/users/{post.author}", "followers_count": post.followers,
            "following_count": 10, "statuses_count": 100, "avatar": "", "avatar_static": "",
            "header": "", "header_static": "", "emojis": [], "fields": [],
        },
        "media_attachments": [], "mentions": [], "emojis": [],
        "tags": [{"name": tag, "url": f"{base_url}/tags/{tag}"} for tag in tags],
        "card": None, "poll": None,
    }


def _base_url(call: Call) -> str:
    return call.sandbox.url


def _ok(call: Call, body: Any, headers: dict[str, str] | None = None) -> Reply:
    remaining = max(0, LIMIT - call.number)
    return Reply(200, body, {**_reset_headers(remaining, 300), **(headers or {})})


def _window(call: Call, posts: list[Post]) -> list[Post]:
    """Mastodon's id paging over ``posts`` (oldest first): the page, newest first."""
    limit = max(1, min(40, int(call.arg("limit") or 20)))
    ids = [(status_id(post), post) for post in posts]
    max_id, since_id, min_id = (call.arg(name) for name in ("max_id", "since_id", "min_id"))
    if max_id:
        ids = [(i, p) for i, p in ids if i < int(max_id)]
    if since_id:
        ids = [(i, p) for i, p in ids if i > int(since_id)]
    if min_id:  # the statuses immediately newer than min_id
        return [p for _, p in [(i, p) for i, p in ids if i > int(min_id)][:limit]][::-1]
    return [p for _, p in ids[-limit:]][::-1]


def _authorized(call: Call) -> bool:
    header = call.headers.get("Authorization", call.headers.get("authorization")) or ""
    return header == f"Bearer {call.credentials['access_token']}"


def tag_timeline(call: Call) -> Reply:
    tag = call.match.group("tag").lower()
    posts = [post for post in call.world.for_platform(NAME) if tag in tags_of(call.world, post)]
    page = _window(call, posts)
    statuses = call.items([status(call.world, p, _base_url(call)) for p in page],
                          f"mastodon:tag:{tag}", break_item)
    headers = {}
    if page:
        here = f"{_base_url(call)}/api/v1/timelines/tag/{tag}"
        newest, oldest = status_id(page[0]), status_id(page[-1])
        headers["Link"] = (f'<{here}?{urlencode({"max_id": oldest})}>; rel="next", '
                           f'<{here}?{urlencode({"min_id": newest})}>; rel="prev"')
    return _ok(call, statuses, headers)


def search(call: Call) -> Reply:
    if not _authorized(call):
        return Reply(401, {"error": "The access token is invalid"})
    try:
        query = parse(call.arg("q") or "")
    except QuerySyntaxError:
        return _ok(call, {"accounts": [], "statuses": [], "hashtags": []})
    if call.arg("type") not in (None, "statuses"):
        return _ok(call, {"accounts": [], "statuses": [], "hashtags": []})
    min_id = int(call.arg("min_id") or 0)
    posts = [p for p in reversed(call.world.for_platform(NAME))
             if status_id(p) > min_id and query.matches(p.text)]
    offset = int(call.arg("offset") or 0)
    limit = max(1, min(40, int(call.arg("limit") or 20)))
    page = posts[offset: offset + limit]
    statuses = call.items([status(call.world, p, _base_url(call)) for p in page],
                          f"mastodon:search:{call.arg('q')}", break_item)
    return _ok(call, {"accounts": [], "statuses": statuses, "hashtags": []})


def instance_v1(call: Call) -> Reply:
    return _ok(call, {"uri": HOST, "title": "Sandbox fedi", "version": "4.3.0",
                      "urls": {"streaming_api": _base_url(call).replace("http", "ws", 1)},
                      "description": "listener sandbox", "languages": ["en"]})


def instance_v2(call: Call) -> Reply:
    return _ok(call, {"domain": HOST, "title": "Sandbox fedi", "version": "4.3.0",
                      "api_versions": {"mastodon": 2}, "description": "listener sandbox",
                      "configuration": {"urls": {"streaming": _base_url(call)}}, "languages": ["en"]})


ROUTES = (
    Route("GET", r"/api/v1/timelines/tag/(?P<tag>[^/]+)", tag_timeline),
    Route("GET", r"/api/v2/search", search),
    Route("GET", r"/api/v1/instance", instance_v1, faultable=False),
    Route("GET", r"/api/v2/instance", instance_v2, faultable=False),
)
