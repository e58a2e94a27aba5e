"""Topic queries (listener's language, :mod:`listener.query`) written in each platform's search syntax.

Connectors never parse a topic query: each names the syntax it takes
(``Connector.query_syntax``) and the pipeline hands it a :class:`Search`
whose ``query`` is already written in that syntax:

* ``x`` — X search: ``"phrase"``, ``@handle``, ``#tag``, ``OR``, ``-term``, parentheses.
* ``reddit`` — Reddit search: no handles or hashtags (plain words), ``AND``/``OR``/``NOT``.
* ``news`` — news-search feeds (Google News RSS): ``"phrase"``, ``OR``, ``-term``.
* ``keywords`` — for APIs with no boolean OR and an unreliable NOT (Hacker News, Bluesky,
  Mastodon): the query in disjunctive normal form, negations dropped, branches joined by
  `` OR `` and each branch its terms separated by spaces (``"phrase"``, ``@handle``,
  ``#tag``, ``word``). A platform so returns a superset of what the topic matches; the
  pipeline's topic matcher, which sees every fetched mention, applies the negations.
  The number of branches is capped (``MAX_BRANCHES``): beyond it the extra branches are
  dropped with a warning rather than sending dozens of requests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from connectors.base import Connector, Search
from listener.query import And, Node, Not, Or, Term, parse

log = logging.getLogger(__name__)

MAX_BRANCHES = 8


def _sigil(term: Term) -> str:
    return {"phrase": f'"{term.value}"', "handle": f"@{term.value}",
            "hashtag": f"#{term.value}"}.get(term.kind, term.value)


def to_x(node: Node, top: bool = True) -> str:
    if isinstance(node, Term):
        return _sigil(node)
    if isinstance(node, Not):
        inner = to_x(node.child, top=False)
        return f"-{inner}" if isinstance(node.child, Term | Or) else f"-({inner})"
    if isinstance(node, And):
        return " ".join(to_x(child, top=False) for child in node.children)
    text = " OR ".join(to_x(child, top=False) for child in node.children)
    return text if top else f"({text})"


def to_reddit(node: Node, top: bool = True) -> str:
    if isinstance(node, Term):
        return f'"{node.value}"' if node.kind == "phrase" else node.value
    if isinstance(node, Not):
        return f"NOT {to_reddit(node.child, top=False)}"
    parts = list(dict.fromkeys(to_reddit(child, top=False) for child in node.children))
    if len(parts) == 1:  # "acme OR @acme OR #acme" is one word on Reddit
        return parts[0]
    text = (" AND " if isinstance(node, And) else " OR ").join(parts)
    return text if top else f"({text})"


def to_news(node: Node, top: bool = True) -> str:
    if isinstance(node, Term):
        return f'"{node.value}"' if node.kind == "phrase" else node.value
    if isinstance(node, Not):
        inner = to_news(node.child, top=False)
        return f"-{inner}" if isinstance(node.child, Term) else f"-({inner})"
    if isinstance(node, Or):  # OR binds tighter than AND in news search: group AND branches
        text = " OR ".join(f"({to_news(c, top=False)})" if isinstance(c, And) else to_news(c, top=False)
                           for c in node.children)
        return text if top else f"({text})"
    return " ".join(to_news(child, top=False) for child in node.children)


def _dnf(node: Node) -> list[tuple[Term, ...]]:
    if isinstance(node, Term):
        return [(node,)]
    if isinstance(node, Not):
        return [()]  # dropped: applied locally by the topic matcher
    if isinstance(node, Or):
        return [branch for child in node.children for branch in _dnf(child)]
    product: list[tuple[Term, ...]] = [()]
    for child in node.children:
        product = [left + right for left in product for right in _dnf(child)]
        if len(product) > MAX_BRANCHES * 4:  # stop the blow-up early
            product = product[: MAX_BRANCHES * 4]
    return product


def to_keywords(node: Node) -> str:
    seen: dict[tuple[Term, ...], None] = {}
    for terms in _dnf(node):
        unique = tuple(dict.fromkeys(terms))
        if unique:
            seen.setdefault(unique)
    branches = list(seen)
    if len(branches) > MAX_BRANCHES:
        log.warning("a topic query has %d OR branches; searching the first %d only", len(branches), MAX_BRANCHES)
        branches = branches[:MAX_BRANCHES]
    return " OR ".join(" ".join(_sigil(term) for term in branch) for branch in branches)


SYNTAXES: dict[str, Callable[[Node], str]] = {
    "x": to_x, "reddit": to_reddit, "news": to_news, "keywords": to_keywords,
}


def render(syntax: str, query: str) -> str:
    """``query`` (listener's language) in ``syntax``; KeyError for an unknown syntax."""
    return SYNTAXES[syntax](parse(query).node)


def topic_searches(connector: type[Connector] | Connector, topics: Iterable[tuple[str, str]]) -> list[Search]:
    """One :class:`Search` per (topic name, query), its query in the connector's syntax."""
    syntax = connector.query_syntax
    return [Search(key=f"topic:{name}", topic=name, query=render(syntax, query) if syntax else None)
            for name, query in topics]
