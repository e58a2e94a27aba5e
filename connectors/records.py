"""Turning loosely typed records (JSON Lines, CSV rows, API items) into Mentions.

The import format (docs/architecture.md): at least ``{"source", "id", "text", "created_at"}``;
optional ``author``, ``url``, ``lang``, ``author_followers``, ``likes``,
``reposts``, ``replies`` (and ``views``, ``title``, ``author_id``,
``is_repost``, ``is_reply``, ``parent_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import Mention
from connectors.errors import SkippableRecord

REQUIRED = ("source", "id", "text", "created_at")
_COUNTS = ("author_followers", "likes", "reposts", "replies", "views")
_STRINGS = ("author", "author_id", "author_name", "url", "title", "lang", "parent_id")
_TRUE = {"1", "true", "yes", "y", "t"}
MAX_COUNT = 2**63 - 1  # the largest integer the database stores
_IDENTIFIER_LENGTHS = {"source": 32, "id": 255}  # the columns mentions.source and .external_id


def parse_time(value: Any) -> datetime:
    """ISO 8601 (``Z`` allowed) or Unix seconds, as an aware UTC datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            return parse_time(float(text))
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise SkippableRecord(f"created_at {value!r} is not an ISO 8601 time") from None
    else:
        raise SkippableRecord(f"created_at {value!r} is not a time")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _count(record: Mapping[str, Any], key: str) -> int | None:
    value = record.get(key)
    if type(value) is int and 0 <= value <= MAX_COUNT:  # the common case first (bool is not int here)
        return value
    if value in (None, ""):
        return None
    try:
        number = int(float(value)) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf; ValueError: nan
        raise SkippableRecord(f"{key} {value!r} is not a number") from None
    if number < 0:
        raise SkippableRecord(f"{key} {value!r} is negative")
    if number > MAX_COUNT:
        raise SkippableRecord(f"{key} {value!r} is out of range (at most {MAX_COUNT})")
    return number


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def mention_from_record(record: Any, *, default_source: str | None = None) -> Mention:
    """One import record as a Mention, or SkippableRecord saying what is wrong."""
    if not isinstance(record, Mapping):
        raise SkippableRecord("a record must be a JSON object")
    if default_source and not record.get("source"):
        record = {**record, "source": default_source}
    missing = [key for key in REQUIRED if record.get(key) in (None, "")]
    if missing:
        raise SkippableRecord(f"missing {', '.join(missing)}")
    if not isinstance(record["text"], str):
        raise SkippableRecord("text must be a string")
    for key, limit in _IDENTIFIER_LENGTHS.items():
        if len(str(record[key])) > limit:
            raise SkippableRecord(f"{key} is longer than {limit} characters")
    strings = {}
    for key in _STRINGS:
        value = record.get(key)
        strings[key] = None if value in (None, "") else str(value)
    if strings["author"]:
        strings["author"] = strings["author"].lstrip("@")
    return Mention(
        source=str(record["source"]),
        external_id=str(record["id"]),
        text=record["text"],
        created_at=parse_time(record["created_at"]),
        is_repost=_flag(record.get("is_repost", False)),
        is_reply=_flag(record.get("is_reply", False)),
        raw=None,
        **strings,
        **{key: _count(record, key) for key in _COUNTS},
    )
