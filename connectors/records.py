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
    if type(value) is str and value[-1:] == "Z" and not value[:1].isspace():
        # The usual shape ("2026-02-16T00:11:25Z"): nothing to strip, not Unix seconds, so
        # straight to fromisoformat (what the general branch below would reach, and say).
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise SkippableRecord(f"created_at {value!r} is not an ISO 8601 time") from None
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(value, UTC)
        except (ValueError, OverflowError, OSError):  # NaN, infinity, beyond year 9999
            raise SkippableRecord(f"created_at {value!r} is not a time in range") from None
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            try:
                seconds = float(text)
            except ValueError:  # digits float() does not read, such as "¹"
                raise SkippableRecord(f"created_at {value!r} is not a time") from None
            return parse_time(seconds)
        try:
            moment = datetime.fromisoformat(text)  # Python 3.11 reads a trailing Z itself
        except ValueError:
            raise SkippableRecord(f"created_at {value!r} is not an ISO 8601 time") from None
    else:
        raise SkippableRecord(f"created_at {value!r} is not a time")
    if moment.tzinfo is UTC:
        return moment
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
    if type(record) is not dict and not isinstance(record, Mapping):
        raise SkippableRecord("a record must be a JSON object")
    if default_source and not record.get("source"):
        record = {**record, "source": default_source}
    get = record.get
    source, external_id, text, created_at = _required(record)
    author, author_id, author_name, url, title, lang, parent_id = [
        value if value is None or (type(value) is str and value) else _string(value)
        for value in map(get, _STRINGS)]
    followers, likes, reposts, replies, views = [
        value if value is None or (type(value) is int and 0 <= value <= MAX_COUNT) else _count(record, key)
        for key, value in zip(_COUNTS, map(get, _COUNTS), strict=True)]
    repost, reply = get("is_repost", False), get("is_reply", False)
    # Positional, in Mention's field order: keywords cost a third of the call (19 names to match).
    return Mention(
        source, external_id, text, parse_time(created_at),
        author.lstrip("@") if author else author, author_id, author_name, followers,
        url, title, lang, likes, reposts, replies, views,
        repost if type(repost) is bool else _flag(repost),
        reply if type(reply) is bool else _flag(reply),
        parent_id, None,
    )


def _required(record: Mapping[str, Any]) -> tuple[str, str, str, Any]:
    """The record's source, id, text and created_at, or SkippableRecord saying which is missing or wrong."""
    get = record.get
    source, external_id, text, created_at = get("source"), get("id"), get("text"), get("created_at")
    if not (type(source) is str and type(external_id) is str and type(text) is str and type(created_at) is str
            and source and external_id and text and created_at):  # all plain, non-empty text: nothing to check
        missing = [key for key in REQUIRED if get(key) in (None, "")]
        if missing:
            raise SkippableRecord(f"missing {', '.join(missing)}")
        if not isinstance(text, str):
            raise SkippableRecord("text must be a string")
        source, external_id = str(source), str(external_id)
    if len(source) > _IDENTIFIER_LENGTHS["source"] or len(external_id) > _IDENTIFIER_LENGTHS["id"]:
        key = "source" if len(source) > _IDENTIFIER_LENGTHS["source"] else "id"
        raise SkippableRecord(f"{key} is longer than {_IDENTIFIER_LENGTHS[key]} characters")
    return source, external_id, text, created_at


def _string(value: Any) -> str | None:
    """An optional text field: absent or empty is None, anything else its text."""
    if value is None or (type(value) is str and value):  # the common cases first
        return value
    return None if value == "" else str(value)
