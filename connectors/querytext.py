"""Reading the ``keywords`` query syntax the pipeline hands to keyword-search connectors.

Hacker News (Algolia), Bluesky and Mastodon have no boolean OR, and their NOT
is unreliable. So the pipeline (``listener/platform_queries.py``) writes a topic
query for them as OR *branches*, each an AND of positive terms, negations
dropped (the pipeline's topic matcher applies them to every fetched mention)::

    "acme coffee" @acme OR #acme OR beanly

A connector makes one request stream per branch. This module only splits that
text back into :class:`Branch` es of :class:`Word` s; it knows nothing of the
topic language itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'"[^"]*"|\S+')


@dataclass(frozen=True, slots=True)
class Word:
    """One term: ``kind`` is word, phrase, handle or hashtag; ``value`` without quotes or sigil."""

    kind: str
    value: str

    @classmethod
    def read(cls, token: str) -> Word:
        if len(token) > 1 and token.startswith('"') and token.endswith('"'):
            return cls("phrase", token[1:-1])
        if len(token) > 1 and token[0] in "@#":
            return cls("handle" if token[0] == "@" else "hashtag", token[1:])
        return cls("word", token)

    def render(self) -> str:
        return {"phrase": f'"{self.value}"', "handle": f"@{self.value}",
                "hashtag": f"#{self.value}"}.get(self.kind, self.value)


@dataclass(frozen=True, slots=True)
class Branch:
    """An AND of positive terms: one keyword search."""

    terms: tuple[Word, ...]

    def render(self) -> str:
        """This branch as keyword syntax (terms separated by spaces)."""
        return " ".join(term.render() for term in self.terms)

    def words(self) -> list[str]:
        """Every term as plain words (a phrase as its words; no @ or #)."""
        return [word for term in self.terms for word in term.value.split()]


def branches(text: str) -> list[Branch]:
    """The OR branches of a ``keywords`` query, in order, each once."""
    found: dict[tuple[Word, ...], None] = {}
    current: list[Word] = []
    for token in [*_TOKEN.findall(text), "OR"]:
        if token == "OR":
            if current:
                found.setdefault(tuple(dict.fromkeys(current)))
            current = []
        else:
            current.append(Word.read(token))
    return [Branch(terms) for terms in found]


def hashtags(text: str) -> list[str]:
    """Hashtags a query suggests: its hashtags and words, phrases joined (``"acme coffee"`` → acmecoffee)."""
    tags: dict[str, None] = {}
    for branch in branches(text):
        for term in branch.terms:
            tag = "".join(term.value.split())
            if tag and all(c.isalnum() or c == "_" for c in tag):
                tags.setdefault(tag)
    return list(tags)
