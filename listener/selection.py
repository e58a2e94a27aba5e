"""Which mentions: user-level filters to a :class:`storage.queries.MentionQuery`, one way.

``listener mentions`` and the Python API (``listener.open(...).mentions(...)``)
both call :func:`mention_query`: topic names matched without regard to case,
``7d``/``12h``/``2w`` or dates for the time window, sentiment and kinds checked.
Every problem is reported at once in one :class:`SelectionError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from listener.config import Config
from storage.queries import KINDS, SORTS, MentionQuery

SENTIMENTS = ("positive", "neutral", "negative", "unscored")
_RELATIVE = re.compile(r"^(\d+)\s*([hdw])$", re.IGNORECASE)
Moment = str | date | datetime


class SelectionError(ValueError):
    """Filters that select nothing sensible; the message names each and its fix."""


def parse_since(value: Moment, now: datetime | None = None) -> datetime:
    """``7d``, ``12h``, ``2w``, an ISO date/time or a date/datetime, as an aware UTC datetime."""
    if isinstance(value, str):
        match = _RELATIVE.match(value.strip())
        if match:
            amount, unit = int(match.group(1)), match.group(2).lower()
            try:
                return (now or datetime.now(UTC)) - timedelta(
                    **{{"h": "hours", "d": "days", "w": "weeks"}[unit]: amount})
            except OverflowError:
                raise SelectionError(f"{value!r} reaches back before the year 1; use a smaller number "
                                     "or a date") from None
    return parse_day(value)


def parse_day(value: Moment) -> datetime:
    """An ISO date/time (or a date/datetime) as an aware UTC datetime; naive means UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SelectionError(
                f"{value!r} is not a date (use 2026-11-01, 2026-11-01T08:00 or 7d)") from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _listed(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def mention_query(
    config: Config,
    *,
    topic: str | Sequence[str] | None = None,
    kind: str | Sequence[str] | None = None,
    source: str | Sequence[str] | None = None,
    author: str | Sequence[str] | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    sentiment: str | None = None,
    lang: str | None = None,
    search: str | None = None,
    sort: str = "newest",
    limit: int | None = None,
    offset: int = 0,
) -> MentionQuery:
    """The query for these filters, or SelectionError listing every problem.

    ``since`` is inclusive, ``until`` exclusive; ``topic`` names are the configured ones.
    """
    problems = []
    known = {t.name.casefold(): t.name for t in config.topics}
    topics = _listed(topic)
    unknown = [name for name in topics if name.casefold() not in known]
    if unknown:
        problems.append(f"unknown topic {', '.join(map(repr, unknown))}; "
                        f"configured: {', '.join(known.values())}")
    bad_kinds = [k for k in _listed(kind) if k not in KINDS]
    if bad_kinds:
        problems.append(f"kind must be one of {', '.join(KINDS)} (got {', '.join(bad_kinds)})")
    if sentiment is not None and sentiment not in SENTIMENTS:
        problems.append(f"sentiment must be one of {', '.join(SENTIMENTS)} (got {sentiment!r})")
    if sort not in SORTS:
        problems.append(f"sort must be one of {', '.join(SORTS)} (got {sort!r})")
    window = []
    for moment, parse in ((since, parse_since), (until, parse_day)):
        try:
            window.append(parse(moment) if moment is not None else None)
        except SelectionError as error:
            problems.append(str(error))
    if problems:
        raise SelectionError("; ".join(problems))
    return MentionQuery(  # str(): plain strings for the drivers, also from the CLI's enum values
        topics=[known[name.casefold()] for name in topics], kinds=[str(k) for k in _listed(kind)],
        sources=_listed(source), authors=_listed(author), since=window[0], until=window[1],
        sentiment=None if sentiment is None else str(sentiment), lang=lang, search=search,
        sort=str(sort), limit=limit, offset=offset,
    )
