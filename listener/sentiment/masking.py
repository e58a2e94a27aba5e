"""Brand terms out before scoring: the brand is not the sentiment.

"@united thanks" is scored as "thanks". The positive terms of every topic a
mention matched are removed, and so is every @handle and #hashtag (see
:func:`listener.query.mask`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from listener.query import Query, Term, mask, mask_with, parse, terms_pattern


class Masker:
    """Masks the positive terms of the topics a mention matched, plus every handle and hashtag."""

    def __init__(self, queries: Mapping[Any, str | Query]) -> None:
        self._queries = {key: (parse(q) if isinstance(q, str) else q) for key, q in queries.items()}
        self._terms = {key: tuple(q.positive_terms()) for key, q in self._queries.items()}
        self._cache: dict[frozenset[Any], tuple[Term, ...]] = {}

    def terms(self, keys: Iterable[Any]) -> tuple[Term, ...]:
        key_set = frozenset(keys)
        if key_set not in self._cache:
            seen: dict[Term, None] = {}
            for key in sorted(key_set, key=str):
                for term in self._terms.get(key, ()):
                    seen.setdefault(term)
            self._cache[key_set] = tuple(seen)
        return self._cache[key_set]

    def matching(self, text: str) -> list[Any]:
        """The topics whose query matches ``text`` (for texts that were never stored)."""
        return [key for key, query in self._queries.items() if query.matches(text)]

    def mask(self, text: str, keys: Iterable[Any] = ()) -> str:
        return mask(text, self.terms(keys), placeholder="")


def masked(text: str, terms: Iterable[Term] = ()) -> str:
    """``text`` without ``terms``, handles and hashtags, whitespace folded."""
    return masked_with(text, terms_pattern(terms))


def masked_with(text: str, pattern: re.Pattern[str]) -> str:
    """:func:`masked` with the terms as their :func:`~listener.query.terms_pattern` (for many texts
    with a few term sets)."""
    return " ".join(mask_with(text, pattern, placeholder="").split())


def mention_text(text: str, title: str | None) -> str:
    """What is scored: the title too when it adds something (Reddit, news)."""
    if title and title.strip() and title.strip() not in text:
        return f"{title.strip()}\n{text}"
    return text
