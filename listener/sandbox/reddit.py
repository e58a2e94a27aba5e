"""The Reddit API subset praw uses for the ``reddit`` connector.

``POST /api/v1/access_token`` (client credentials, HTTP basic auth),
``GET /r/{sub}/search`` (``q``, ``sort=new``, ``t``, ``limit``, ``after``,
``restrict_sr``) and ``GET /r/{sub}/comments`` (``limit``, ``after``), both
answering Reddit's ``Listing`` format, newest first. ``{sub}`` may be ``all``
or ``a+b``. Queries are Reddit's boolean syntax, matched with listener's query
language. The world's end is the sandbox's "now" for the ``t`` time filter.

A 429 carries ``retry-after`` and ``x-ratelimit-reset`` but not
``x-ratelimit-remaining``: prawcore would otherwise sleep on its own clock
before the next call, which tests cannot inject.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from listener.query import QuerySyntaxError, parse
from listener.sandbox.server import Call, Reply, Route
from listener.sandbox.world import FIRST_ID, Post

NAME = "reddit"
CREDENTIALS = {
    "client_id": "sandbox-client-id",
    "client_secret": "sandbox-client-secret",
    "access_token": "sandbox-access-token",
}
_WINDOWS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 31, "year": 365}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def connector_settings(url: str) -> dict[str, Any]:
    return {
        "base_url": url,
        "client_id": CREDENTIALS["client_id"],
        "client_secret": CREDENTIALS["client_secret"],
    }


def rate_limit_headers(reset_seconds: float) -> dict[str, str]:
    return {"retry-after": str(int(reset_seconds)), "x-ratelimit-reset": str(int(reset_seconds)),
            "x-ratelimit-used": "1000"}


def break_item(thing: dict[str, Any]) -> dict[str, Any]:
    data = dict(thing["data"])
    data.pop("created_utc", None)
    return {"kind": thing["kind"], "data": data}


def id36(post_id: str) -> str:
    number = 1_000_000 + int(post_id) - FIRST_ID
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
    return out


def is_submission(post: Post) -> bool:
    return post.parent_id is None


def fullname(post: Post) -> str:
    return ("t3_" if is_submission(post) else "t1_") + id36(post.id)


def _thing(post: Post) -> dict[str, Any]:
    base = {
        "id": id36(post.id), "name": fullname(post), "author": post.author,
        "author_fullname": f"t2_{post.author_id}", "created_utc": post.created_at.timestamp(),
        "subreddit": post.subreddit or "coffee", "score": post.likes, "ups": post.likes,
        "downs": 0,
    }
    if is_submission(post):
        title = post.title or post.text.split(". ")[0][:120]
        selftext = post.text.removeprefix(title).lstrip(" .") if post.text.startswith(title) else post.text
        permalink = f"/r/{base['subreddit']}/comments/{base['id']}/{_slug(title)}/"
        return {"kind": "t3", "data": {
            **base, "title": title, "selftext": selftext, "is_self": True,
            "num_comments": post.replies, "permalink": permalink,
            "url": f"https://www.reddit.com{permalink}", "over_18": False,
        }}
    parent = id36(post.parent_id or post.id)
    return {"kind": "t1", "data": {
        **base, "body": post.text, "link_id": f"t3_{parent}", "parent_id": f"t3_{parent}",
        "permalink": f"/r/{base['subreddit']}/comments/{parent}/_/{base['id']}/",
    }}


def _slug(title: str) -> str:
    return "_".join("".join(c for c in word.lower() if c.isalnum()) for word in title.split()[:6]) or "_"


def _listing(children: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": after, "before": None, "dist": len(children),
                                        "children": children}}


def access_token(call: Call) -> Reply:
    expected = base64.b64encode(
        f"{call.credentials['client_id']}:{call.credentials['client_secret']}".encode()
    ).decode()
    if call.headers.get("Authorization", call.headers.get("authorization")) != f"Basic {expected}":
        return Reply(401, {"message": "Unauthorized", "error": 401})
    return Reply(200, {"access_token": call.credentials["access_token"], "token_type": "bearer",
                       "expires_in": 86400, "scope": "*"})


def _authorized(call: Call) -> bool:
    header = call.headers.get("Authorization", call.headers.get("authorization")) or ""
    return header.lower() == f"bearer {call.credentials['access_token']}"


def _in_subreddits(post: Post, sub: str) -> bool:
    return sub == "all" or (post.subreddit or "coffee") in sub.split("+")


def _page(call: Call, posts: list[Post], stream: str) -> Reply:
    limit = max(1, min(100, int(call.arg("limit") or 25)))
    after = call.arg("after")
    start = 0
    if after:
        names = [fullname(post) for post in posts]
        if after not in names:
            return Reply(200, _listing([], None))
        start = names.index(after) + 1
    page = posts[start: start + limit]
    next_after = fullname(page[-1]) if page and start + limit < len(posts) else None
    body = _listing(call.items([_thing(p) for p in page], stream, break_item, repeat=False), next_after)
    # A repeated page is the previous answer again, "after" included: praw never takes
    # more items than its limit, so extra items would be dropped, not repeated.
    previous = call.sandbox.remember(f"{stream}:reply", [body])
    if call.has("repeat") and previous:
        return Reply(200, previous[0])
    return Reply(200, body)


def search(call: Call) -> Reply:
    if not _authorized(call):
        return Reply(401, {"message": "Unauthorized", "error": 401})
    sub = call.match.group("sub")
    try:
        query = parse(call.arg("q") or "")
    except QuerySyntaxError:
        return Reply(200, _listing([], None))
    restrict = (call.arg("restrict_sr") or "").lower() in ("1", "true", "on")
    window = _WINDOWS.get(call.arg("t") or "all")
    since = call.world.end - timedelta(days=window) if window else None
    posts = [
        post for post in reversed(call.world.for_platform(NAME))
        if is_submission(post)
        and (not restrict or _in_subreddits(post, sub))
        and (since is None or post.created_at >= since)
        and query.matches(f"{post.title or ''}\n{post.text}")
    ]
    return _page(call, posts, f"reddit:search:{sub}:{call.arg('q')}")


def comments(call: Call) -> Reply:
    if not _authorized(call):
        return Reply(401, {"message": "Unauthorized", "error": 401})
    sub = call.match.group("sub")
    posts = [
        post for post in reversed(call.world.for_platform(NAME))
        if not is_submission(post) and _in_subreddits(post, sub)
    ]
    return _page(call, posts, f"reddit:comments:{sub}")


ROUTES = (
    Route("POST", r"/api/v1/access_token", access_token, faultable=False),
    Route("GET", r"/r/(?P<sub>[\w+]+)/search", search),
    Route("GET", r"/r/(?P<sub>[\w+]+)/comments", comments),
)
