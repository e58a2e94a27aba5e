"""Making a mention fit the database before it is written, whatever the source sent.

PostgreSQL refuses a NUL character in text (and in JSON), a number beyond a
64-bit integer and a string longer than its column; one such value would abort
the whole batch it is in. Every source goes through here (the Ingestor calls
:func:`fit_mention`), so one odd record can never stall a run:

* NUL characters are removed from every text field and from the raw payload;
* an out-of-range metric (likes, followers…) is dropped (stored as unknown);
* an over-long optional string is cut to its column's length;
* an over-long identifier (source, id) cannot be cut without merging records:
  the mention is rejected (:class:`Unfit`) and counted as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any

from storage.mentions import Mention
from storage.schema import mentions

MAX_INTEGER = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
NUL = "\x00"
_METRICS = ("author_followers", "likes", "reposts", "replies", "views")
_TEXTS = ("text", "title", "url", "author", "author_id", "author_name", "lang", "parent_id")
_IDENTIFIERS = ("source", "external_id")


class Unfit(ValueError):
    """A mention that cannot be stored without changing its identity."""


def _length(name: str) -> int | None:
    column = mentions.c.get(name)
    return getattr(column.type, "length", None) if column is not None else None


_LENGTHS = {name: _length(name) for name in (*_TEXTS, *_IDENTIFIERS)}
_TEXT_LIMITS = tuple(_LENGTHS[name] for name in _TEXTS)
_LIMITED = tuple((index, limit) for index, limit in enumerate(_TEXT_LIMITS) if limit)
_text_values = attrgetter(*_TEXTS)  # one C call for the fields checked on every mention
_metric_values = attrgetter(*_METRICS)


def fit_mention(mention: Mention) -> bool:
    """Fix ``mention`` in place so the database accepts it; True when anything changed.

    Raises :class:`Unfit` when its source or id is longer than the database allows.
    """
    for name in _IDENTIFIERS:
        value: str = getattr(mention, name)
        limit = _LENGTHS[name]
        if NUL in value:
            raise Unfit(f"{name} contains a NUL character")
        if limit and len(value) > limit:
            raise Unfit(f"{name} is {len(value)} characters long (at most {limit})")
    texts = _text_values(mention)
    changed = _fit_texts(mention, texts) if _texts_need_fitting(texts) else False
    for name, number in zip(_METRICS, _metric_values(mention), strict=True):
        if number is not None and not 0 <= number <= MAX_INTEGER:
            setattr(mention, name, None)
            changed = True
    if mention.raw is not None and _has_nul(mention.raw):
        mention.raw = _without_nul(mention.raw)
        changed = True
    return changed


def _texts_need_fitting(texts: tuple[str | None, ...]) -> bool:
    """Whether a text field holds a NUL or is longer than its column: one search of them all
    joined, and a length check of the few with a limit, not a Python step per field."""
    if NUL in "".join(filter(None, texts)):
        return True
    for index, limit in _LIMITED:
        value = texts[index]
        if value is not None and len(value) > limit:
            return True
    return False


def _fit_texts(mention: Mention, texts: tuple[str | None, ...]) -> bool:
    changed = False
    for name, value, limit in zip(_TEXTS, texts, _TEXT_LIMITS, strict=True):
        if value is None or (NUL not in value and not (limit and len(value) > limit)):
            continue  # the common case: nothing to change
        text: str = value.replace(NUL, "")
        fitted: str | None = text
        if limit and len(text) > limit:
            fitted = None if name == "lang" else text[:limit]  # a cut language tag means nothing
        if fitted != value:
            setattr(mention, name, fitted)
            changed = True
    return changed


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, Mapping):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value
