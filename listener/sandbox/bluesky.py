"""The Bluesky XRPC subset the atproto SDK uses for the ``bluesky`` connector.

``POST /xrpc/com.atproto.server.createSession`` (identifier + app password →
JWTs whose payload carries ``exp``, as the SDK reads it) and
``GET /xrpc/app.bsky.feed.searchPosts`` (``q``, ``sort=latest``, ``since``
inclusive, ``until`` exclusive, ``limit`` ≤ 100, opaque ``cursor``), which
needs the session's bearer token: like Bluesky's public AppView, the sandbox
refuses unauthenticated search (403). Answers carry ``ratelimit-*`` headers;
a 429 also carries ``retry-after``.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any

from listener.query import QuerySyntaxError, parse
from listener.sandbox.server import Call, Reply, Route
from listener.sandbox.world import Post

NAME = "bluesky"
CREDENTIALS = {"handle": "listener.bsky.social", "app_password": "sandbox-app-pass-word"}
DID = "did:plc:sandboxlistener"


def connector_settings(url: str) -> dict[str, Any]:
    return {"base_url": url, "handle": CREDENTIALS["handle"], "app_password": CREDENTIALS["app_password"]}


def rate_limit_headers(reset_seconds: float) -> dict[str, str]:
    return {"ratelimit-limit": "3000", "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(time.time() + reset_seconds)), "ratelimit-policy": "3000;w=300",
            "retry-after": str(int(reset_seconds))}


def break_item(post: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in post.items() if key != "record"}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def jwt(scope: str) -> str:
    now = int(time.time())
    return ".".join((_b64({"typ": "JWT", "alg": "HS256"}),
                     _b64({"scope": scope, "sub": DID, "iat": now, "exp": now + 7200}), "sandbox"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post_view(post: Post) -> dict[str, Any]:
    handle = f"{post.author}.bsky.social"
    did = f"did:plc:{post.author_id}{post.author}"[:40]
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{post.id}",
        "cid": f"bafyrei{post.id}",
        "author": {"did": did, "handle": handle, "displayName": post.author_name, "labels": []},
        "record": {"$type": "app.bsky.feed.post", "text": post.text, "createdAt": _iso(post.created_at),
                   "langs": [post.lang]},
        "replyCount": post.replies, "repostCount": post.reposts, "likeCount": post.likes,
        "quoteCount": 0, "indexedAt": _iso(post.created_at), "labels": [],
    }


def create_session(call: Call) -> Reply:
    try:
        body = json.loads(call.body or b"{}")
    except ValueError:
        return Reply(400, {"error": "InvalidRequest", "message": "body is not JSON"})
    if (body.get("identifier") != call.credentials["handle"]
            or body.get("password") != call.credentials["app_password"]):
        return Reply(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
    return Reply(200, {"accessJwt": jwt("com.atproto.access"), "refreshJwt": jwt("com.atproto.refresh"),
                       "handle": call.credentials["handle"], "did": DID, "active": True})


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def search_posts(call: Call) -> Reply:
    header = call.headers.get("Authorization", call.headers.get("authorization")) or ""
    if not header.startswith("Bearer ") or header.count(".") != 2:
        return Reply(403, {"error": "Forbidden", "message": "search requires authentication"})
    try:
        query = parse(call.arg("q") or "")
        since, until = _time(call.arg("since")), _time(call.arg("until"))
    except (QuerySyntaxError, ValueError) as error:
        return Reply(400, {"error": "InvalidRequest", "message": str(error)})
    posts = [
        post for post in reversed(call.world.for_platform(NAME))
        if (since is None or post.created_at >= since) and (until is None or post.created_at < until)
        and query.matches(post.text)
    ]
    limit = max(1, min(100, int(call.arg("limit") or 25)))
    offset = int(call.arg("cursor") or 0)
    page = posts[offset: offset + limit]
    body: dict[str, Any] = {"posts": call.items([post_view(p) for p in page],
                                                f"bluesky:{call.arg('q')}:{call.arg('since')}", break_item),
                            "hitsTotal": len(posts)}
    if offset + limit < len(posts):
        body["cursor"] = str(offset + limit)
    return Reply(200, body, {"ratelimit-limit": "3000", "ratelimit-remaining": "2999",
                             "ratelimit-reset": str(int(time.time()) + 300)})


ROUTES = (
    Route("POST", r"/xrpc/com\.atproto\.server\.createSession", create_session, faultable=False),
    Route("GET", r"/xrpc/app\.bsky\.feed\.searchPosts", search_posts),
)
