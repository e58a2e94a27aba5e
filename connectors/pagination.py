"""Walking a platform's page tokens, with a guard against a token that comes back.

A buggy or overloaded API sometimes answers the same page twice, or sends a
``next`` token it already sent: followed blindly, a pass never ends. The
:class:`Paginator` remembers the tokens of the current pass and raises
:class:`RepeatedToken` (a :class:`RetriableError`: the pass stops, its pages
so far are stored with their progress marker, the next run resumes) instead of
looping — the rule of meltano's ``BaseAPIPaginator.advance``, which also
refuses a token identical to the one before.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

from connectors.errors import RetriableError

Token = TypeVar("Token")

# tokens remembered per pass; a loop longer than this is also cut by the run's request budget
MEMORY = 10_000


class RepeatedToken(RetriableError):
    """The platform sent a page token it already sent in this pass."""

    def __init__(self, source: str, token: object):
        super().__init__(f"{source} returned the page token {token!r} twice; stopping this pass")
        self.token = token


class Paginator(Generic[Token]):
    """The current page token of one pass; :meth:`advance` moves it on or says the pass is done.

    ``start`` is the token to resume from (a progress marker), or None for the first page.
    """

    def __init__(self, source: str, start: Token | None = None):
        self.source = source
        self.token: Token | None = start
        self.pages = 0
        self.finished = False
        self._seen: OrderedDict[Token, None] = OrderedDict()
        if start:
            self._seen[start] = None

    def advance(self, next_token: Token | None) -> bool:
        """Take the token of the page after the one just read: True if there is such a page.

        A missing or empty token ends the pass (``finished``); one already seen in
        this pass raises :class:`RepeatedToken`.
        """
        self.pages += 1
        if not next_token:
            self.finished = True
            return False
        if next_token == self.token or next_token in self._seen:
            raise RepeatedToken(self.source, next_token)
        self._seen[next_token] = None
        if len(self._seen) > MEMORY:
            self._seen.popitem(last=False)
        self.token = next_token
        return True
