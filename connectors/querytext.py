"""Turning a topic query (listener's language) into what a plain keyword search API accepts.

Hacker News (Algolia), Bluesky and Mastodon have no boolean OR, and their NOT
is unreliable. So a topic query is rewritten in disjunctive normal form: a list
of *branches*, each an AND of positive terms. A connector makes one request
stream per branch; negations are dropped here and applied afterwards by the
pipeline's local topic matcher, which sees every fetched mention. A platform
therefore returns a superset of what the topic matches, never a subset.

The number of branches is capped (``MAX_BRANCHES``): a query such as
``(a OR b) (c OR d) (e OR f)`` multiplies out, and beyond the cap the extra
branches are dropped with a warning rather than sending dozens of requests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from listener.query import And, Node, Not, Or, Term, parse

log = logging.getLogger(__name__)

MAX_BRANCHES = 8


@dataclass(frozen=True, slots=True)
class Branch:
    """An AND of positive terms: one keyword search."""

    terms: tuple[Term, ...]

    def render(self) -> str:
        """This branch written back in listener's query language (terms ANDed by spaces)."""
        return " ".join(_render(term) for term in self.terms)

    def words(self) -> list[str]:
        """Every term as plain words (a phrase as its words; no @ or #)."""
        return [word for term in self.terms for word in term.value.split()]


def _render(term: Term) -> str:
    if term.kind == "phrase":
        return f'"{term.value}"'
    if term.kind == "handle":
        return f"@{term.value}"
    if term.kind == "hashtag":
        return f"#{term.value}"
    return term.value


def _dnf(node: Node) -> list[tuple[Term, ...]]:
    if isinstance(node, Term):
        return [(node,)]
    if isinstance(node, Not):
        return [()]  # dropped: applied locally by the topic matcher
    if isinstance(node, Or):
        return [branch for child in node.children for branch in _dnf(child)]
    if isinstance(node, And):
        product: list[tuple[Term, ...]] = [()]
        for child in node.children:
            product = [left + right for left in product for right in _dnf(child)]
            if len(product) > MAX_BRANCHES * 4:  # stop the blow-up early
                product = product[: MAX_BRANCHES * 4]
        return product
    raise TypeError(f"not a query node: {node!r}")


def branches(query: str) -> list[Branch]:
    """The OR branches of ``query``, each an AND of positive terms, deduplicated and capped."""
    seen: dict[tuple[Term, ...], None] = {}
    for terms in _dnf(parse(query).node):
        unique = tuple(dict.fromkeys(terms))
        if unique:
            seen.setdefault(unique)
    result = [Branch(terms) for terms in seen]
    if len(result) > MAX_BRANCHES:
        log.warning("query %r has %d OR branches; searching the first %d only",
                    query, len(result), MAX_BRANCHES)
        result = result[:MAX_BRANCHES]
    return result


def hashtags(query: str) -> list[str]:
    """Hashtags a query suggests: its hashtags and words, phrases joined (``"acme coffee"`` → acmecoffee)."""
    tags: dict[str, None] = {}
    for branch in branches(query):
        for term in branch.terms:
            tag = "".join(term.value.split())
            if tag and all(c.isalnum() or c == "_" for c in tag):
                tags.setdefault(tag)
    return list(tags)
