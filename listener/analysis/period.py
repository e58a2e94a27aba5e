"""Reporting periods: ISO weeks ("2026-W47") and days, as naive-UTC half-open ranges."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period label cannot be understood; the message shows the expected form."""


@dataclass(frozen=True)
class Period:
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC, exclusive
    label: str  # "2026-W47", or "2026-11-16" for a day

    @property
    def days(self) -> list[date]:
        return [self.start.date() + timedelta(days=i) for i in range((self.end - self.start).days)]

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


FIRST_YEAR, LAST_YEAR = 1970, 9998  # a week's neighbours (last week, the spike baseline) must exist too


def _today(today: date | None) -> date:
    return today if today is not None else datetime.now(UTC).date()


def week_of(day: date) -> Period:
    """The ISO week holding ``day``."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    year, week, _ = monday.isocalendar()
    start = datetime.combine(monday, datetime.min.time())
    return Period(start, start + timedelta(days=7), f"{year}-W{week:02d}")


def iso_week(label: str | None = None, *, today: date | None = None) -> Period:
    """The ISO week ``label`` ("2026-W47"); with no label, the last full week before ``today``."""
    if label is None:
        return week_of(_today(today) - timedelta(days=7))
    match = _WEEK_RE.match(label)
    if not match:
        raise PeriodError(f"not an ISO week: {label!r} (expected e.g. 2026-W47)")
    year, week = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:  # the digest also reads the weeks around it
        raise PeriodError(f"{label}: the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(f"{year} has no ISO week {week} (expected 1–52, or 53 in long years)") from None
    return week_of(monday)


def day(value: date | str) -> Period:
    """One UTC day as a period (label "2026-11-16")."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise PeriodError(f"not a date: {value!r} (expected e.g. 2026-11-16)") from None
    if isinstance(value, datetime):
        value = value.date()
    start = datetime.combine(value, datetime.min.time())
    return Period(start, start + timedelta(days=1), value.isoformat())


def days_between(start: date, end: date) -> Period:
    """Days ``start`` … ``end`` inclusive."""
    if end < start:
        raise PeriodError(f"the end {end} is before the start {start}")
    begin = datetime.combine(start, datetime.min.time())
    return Period(begin, datetime.combine(end, datetime.min.time()) + timedelta(days=1),
                  f"{start.isoformat()}..{end.isoformat()}")


def previous(period: Period) -> Period:
    """The period of the same length just before ``period`` (last week for a week)."""
    length = period.end - period.start
    start = period.start - length
    if _WEEK_RE.match(period.label):
        return week_of(start.date())
    if length == timedelta(days=1):
        return day(start.date())
    return days_between(start.date(), (period.start - timedelta(days=1)).date())


MAX_WEEKS = 520  # ten years: a range longer than this is a typo


def iso_weeks(labels: Sequence[str], *, first: str | None = None, last: str | None = None,
              today: date | None = None) -> list[Period]:
    """ISO weeks from labels, and/or every week from ``first`` to ``last`` (both included);
    with neither, the last full week. Oldest first, each once."""
    if (first is None) != (last is None):
        raise PeriodError("give both --from and --to (e.g. --from 2026-W40 --to 2026-W47)")
    weeks = {p.label: p for p in (iso_week(label, today=today) for label in labels)}
    if first is not None and last is not None:
        start, end = iso_week(first, today=today), iso_week(last, today=today)
        if end.start < start.start:
            raise PeriodError(f"--from {first} is after --to {last}")
        if (end.start - start.start).days // 7 >= MAX_WEEKS:
            raise PeriodError(f"{first}..{last} is more than {MAX_WEEKS} weeks")
        span = start
        while span.start <= end.start:
            weeks.setdefault(span.label, span)
            span = week_of((span.start + timedelta(days=7)).date())
    if not weeks:
        weeks = {p.label: p for p in [iso_week(None, today=today)]}
    return sorted(weeks.values(), key=lambda p: p.start)


def parse(label: str | None, *, today: date | None = None) -> Period:
    """A week ("2026-W47"), a day ("2026-11-16"), a range ("2026-11-01..2026-11-15"), or None."""
    if label is None or _WEEK_RE.match(label):
        return iso_week(label, today=today)
    if ".." in label:
        first, _, last = label.partition("..")
        return days_between(day(first).start.date(), day(last).start.date())
    return day(label)
