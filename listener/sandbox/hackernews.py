"""The Hacker News Algolia API subset the ``hackernews`` connector uses.

``GET /api/v1/search_by_date`` with ``query`` (every word required, unless
listed in ``optionalWords``; ``"phrases"`` with ``advancedSyntax``), ``tags``
(``story``, ``comment``, ``(story,comment)``), ``numericFilters`` on
``created_at_i`` (``>=``, ``>``, ``<``, ``<=``), ``hitsPerPage`` and ``page``.
Newest first, and like Algolia only the first 1,000 hits are reachable
(``nbPages`` is capped; ``nbHits`` is the true count).

Of the world's ``hackernews`` posts, one in three is a story (title = first
sentence, linking to an article whose URL carries ``utm_`` tracking
parameters), the others are comments on the latest earlier story.
"""

from __future__ import annotations

import math
import re
from typing import Any

from listener.query import QuerySyntaxError, parse
from listener.sandbox.server import Call, Reply, Route
from listener.sandbox.world import Post, World

NAME = "hackernews"
CREDENTIALS: dict[str, Any] = {}
MAX_REACHABLE = 1000
_FILTER_RE = re.compile(r"created_at_i\s*(>=|<=|>|<|=)\s*(\d+)")
_TOKEN_RE = re.compile(r'"([^"]*)"|(\S+)')


def connector_settings(url: str) -> dict[str, Any]:
    return {"base_url": url}


def rate_limit_headers(reset_seconds: float) -> dict[str, str]:
    return {"retry-after": str(int(reset_seconds))}


def break_item(hit: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in hit.items() if key not in ("created_at_i", "created_at")}


def article_slug(text: str) -> str:
    words = re.findall(r"\w+", text.lower())[:8]
    return "-".join(words) or "story"


def title_of(post: Post) -> str:
    return post.title or post.text.split(". ")[0][:120]


def article_url(post: Post, campaign: str) -> str:
    """The article a story or feed item links to; copies of one text share it."""
    return f"https://www.coffee-news.example/{article_slug(title_of(post))}/?utm_source={campaign}"


def threads(world: World) -> dict[str, str | None]:
    """``{post id: story id}``: None for stories."""
    out: dict[str, str | None] = {}
    story: str | None = None
    for post in world.for_platform(NAME):
        if story is None or int(post.id) % 3 == 0:
            story = post.id
            out[post.id] = None
        else:
            out[post.id] = story
    return out


def hit(post: Post, story_id: str | None) -> dict[str, Any]:
    base = {
        "objectID": post.id, "author": post.author, "created_at_i": int(post.created_at.timestamp()),
        "created_at": post.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "points": post.likes,
    }
    if story_id is None:
        return {**base, "title": title_of(post), "url": article_url(post, "hackernews"),
                "story_text": None, "comment_text": None, "num_comments": post.replies,
                "story_id": None, "parent_id": None, "_tags": ["story", f"author_{post.author}",
                                                                f"story_{post.id}"]}
    return {**base, "title": None, "url": None, "points": None,
            "comment_text": f"<p>{_escape(post.text)}</p>", "story_id": int(story_id),
            "parent_id": int(story_id), "num_comments": None,
            "_tags": ["comment", f"author_{post.author}", f"story_{story_id}"]}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;")


def _query(call: Call) -> Any:
    text = call.arg("query") or ""
    optional = set((call.arg("optionalWords") or "").replace(",", " ").split())
    tokens = [f'"{phrase}"' if phrase else word for phrase, word in _TOKEN_RE.findall(text)]
    if not tokens:
        return None
    joined = " OR ".join(tokens) if optional and set(tokens) <= optional | {f'"{t}"' for t in optional} \
        else " ".join(tokens)
    return parse(joined)


def _in_window(created: int, filters: str) -> bool:
    for op, value in _FILTER_RE.findall(filters):
        bound = int(value)
        if not {">=": created >= bound, ">": created > bound, "<": created < bound,
                "<=": created <= bound, "=": created == bound}[op]:
            return False
    return True


def search_by_date(call: Call) -> Reply:
    try:
        query = _query(call)
    except QuerySyntaxError as error:
        return Reply(400, {"message": f"invalid query: {error}", "status": 400})
    tags = {tag.strip("() ") for tag in (call.arg("tags") or "").split(",") if tag.strip("() ")}
    filters = call.arg("numericFilters") or ""
    per_page = max(1, min(1000, int(call.arg("hitsPerPage") or 20)))
    page = max(0, int(call.arg("page") or 0))
    thread_of = threads(call.world)
    hits = []
    for post in reversed(call.world.for_platform(NAME)):
        story_id = thread_of[post.id]
        kind = "story" if story_id is None else "comment"
        if tags and kind not in tags:
            continue
        if not _in_window(int(post.created_at.timestamp()), filters):
            continue
        text = post.text if story_id else f"{title_of(post)}\n{post.text}"
        if query is not None and not query.matches(text):
            continue
        hits.append(post)
    reachable = min(len(hits), MAX_REACHABLE)
    nb_pages = math.ceil(reachable / per_page)
    start = page * per_page
    chosen = hits[start: min(start + per_page, reachable)] if page < nb_pages else []
    items = call.items([hit(post, thread_of[post.id]) for post in chosen],
                       f"hackernews:{call.arg('query')}:{filters}", break_item)
    return Reply(200, {"hits": items, "nbHits": len(hits), "page": page, "nbPages": nb_pages,
                       "hitsPerPage": per_page, "exhaustiveNbHits": True,
                       "query": call.arg("query") or "", "params": ""})


ROUTES = (Route("GET", r"/api/v1/search_by_date", search_by_date),)
