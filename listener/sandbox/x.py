"""The X API v2 subset the ``x`` connector uses: ``GET /2/tweets/search/recent``.

Bearer auth (``CREDENTIALS["bearer_token"]``), newest first, ``since_id``
(exclusive), ``start_time``/``end_time``, ``max_results`` (10..100),
``next_token``, expansions ``author_id`` and ``referenced_tweets.id``. The
query is X syntax; ``is:…`` and ``lang:…`` operators are applied, the rest is
matched with listener's own query language (close enough for a simulation).
"""

from __future__ import annotations

import base64
import re
import time
from datetime import datetime
from typing import Any

from listener.query import QuerySyntaxError, parse
from listener.sandbox.server import Call, Reply, Route
from listener.sandbox.world import Post

NAME = "x"
CREDENTIALS = {"bearer_token": "sandbox-bearer-token"}

_LANG_GROUP = re.compile(r"\(\s*lang:\w+(?:\s+OR\s+lang:\w+)*\s*\)|(?<!\S)lang:\w+")
_IS = re.compile(r"(?<!\S)(-?)is:(\w+)")


def connector_settings(url: str) -> dict[str, Any]:
    return {"base_url": url, "bearer_token": CREDENTIALS["bearer_token"]}


def rate_limit_headers(reset_seconds: float) -> dict[str, str]:
    return {
        "x-rate-limit-limit": "450",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(int(time.time() + reset_seconds)),
    }


def break_item(tweet: dict[str, Any]) -> dict[str, Any]:
    broken = dict(tweet)
    broken.pop("created_at", None)
    broken.pop("text", None)
    return broken


def _error(status: int, title: str, detail: str) -> Reply:
    return Reply(status, {"title": title, "detail": detail, "type": "about:blank", "status": status})


def _matcher(query: str):
    """A predicate over posts for an X query string."""
    langs = set()
    for group in _LANG_GROUP.findall(query):
        langs.update(re.findall(r"lang:(\w+)", group))
    rest = _LANG_GROUP.sub(" ", query)
    flags = {name: not negated for negated, name in _IS.findall(rest)}
    rest = _IS.sub(" ", rest).strip()
    compiled = parse(rest)

    def matches(post: Post) -> bool:
        if langs and post.lang not in langs:
            return False
        if "retweet" in flags and post.is_repost != flags["retweet"]:
            return False
        if "reply" in flags and post.is_reply != flags["reply"]:
            return False
        return compiled.matches(post.text)

    return matches


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tweet(post: Post) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": post.id,
        "text": post.text,
        "author_id": post.author_id,
        "created_at": _iso(post.created_at),
        "lang": post.lang,
        "conversation_id": post.parent_id if post.is_reply else post.id,
        "edit_history_tweet_ids": [post.id],
        "public_metrics": {
            "retweet_count": post.reposts, "reply_count": post.replies,
            "like_count": post.likes, "quote_count": 0, "impression_count": post.views,
        },
    }
    if post.parent_id:
        kind = "retweeted" if post.is_repost else "replied_to"
        data["referenced_tweets"] = [{"type": kind, "id": post.parent_id}]
    return data


def _user(post: Post) -> dict[str, Any]:
    return {
        "id": post.author_id, "username": post.author, "name": post.author_name,
        "public_metrics": {"followers_count": post.followers, "following_count": 100,
                           "tweet_count": 1000, "listed_count": 1},
    }


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(text.removeprefix("offset:")) if text.startswith("offset:") else None
    except (ValueError, UnicodeDecodeError):
        return None


def search_recent(call: Call) -> Reply:
    if call.headers.get("Authorization", call.headers.get("authorization")) != (
        f"Bearer {call.credentials['bearer_token']}"
    ):
        return _error(401, "Unauthorized", "Unauthorized")
    query = call.arg("query")
    if not query:
        return _error(400, "Invalid Request", "The `query` query parameter can not be empty")
    try:
        matches = _matcher(query)
    except QuerySyntaxError as error:
        return _error(400, "Invalid Request", f"There were errors processing your request: {error.message}")
    max_results = int(call.arg("max_results") or 10)
    if not 10 <= max_results <= 100:
        return _error(400, "Invalid Request", "`max_results` must be between 10 and 100")
    since_id = call.arg("since_id")
    start, end = _time(call.arg("start_time")), _time(call.arg("end_time"))
    offset = 0
    if call.arg("next_token"):
        offset = _offset(call.arg("next_token") or "")
        if offset is None:
            return _error(400, "Invalid Request", "The `next_token` query parameter value is not valid")

    found = [
        post for post in reversed(call.world.for_platform(NAME))
        if (since_id is None or int(post.id) > int(since_id))
        and (start is None or post.created_at >= start)
        and (end is None or post.created_at < end)
        and matches(post)
    ]
    page = found[offset: offset + max_results]
    if not page:
        return Reply(200, {"meta": {"result_count": 0}})
    meta: dict[str, Any] = {"newest_id": page[0].id, "oldest_id": page[-1].id, "result_count": len(page)}
    if offset + max_results < len(found):
        meta["next_token"] = _token(offset + max_results)
    tweets = call.items([tweet(post) for post in page], f"x:{query}", break_item)
    body: dict[str, Any] = {"data": tweets, "meta": meta}
    expansions = (call.arg("expansions") or "").split(",")
    includes: dict[str, Any] = {}
    if "author_id" in expansions:
        users = {post.author_id: _user(post) for post in page}
        includes["users"] = list(users.values())
    if "referenced_tweets.id" in expansions:
        referenced = [call.world.by_id.get(post.parent_id) for post in page if post.parent_id]
        includes["tweets"] = [tweet(post) for post in referenced if post is not None]
    if includes:
        body["includes"] = includes
    return Reply(200, body, {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
                             "x-rate-limit-reset": str(int(time.time() + 900))})


ROUTES = (Route("GET", r"/2/tweets/search/recent", search_recent),)
