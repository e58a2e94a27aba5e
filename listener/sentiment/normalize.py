"""The one text normalisation used when training the learned model and when scoring with it.

The handed-out training tweets follow TweetEval's conventions (users are
``@user``, links are ``http``) and some still hold HTML entities (``&amp;``)
and literal ``\\uXXXX`` escapes. Stored mentions are raw platform text. Both
pass through :func:`normalize`, so the model sees the same vocabulary at both
ends; without it, "&lt;3" and "<3" would be different words.
"""

from __future__ import annotations

import html
import re

MAX_CHARS = 5_000  # a sentiment needs no more; bounds the cost of a 50,000-character post

_ESCAPES_RE = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")
_LINK_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<![\w@])@\w+")
_SPACES_RE = re.compile(r"\s+")


def _decode_escapes(match: re.Match[str]) -> str:
    """A run of ``\\uXXXX`` escapes as the characters they spell (surrogate pairs joined)."""
    units = match.group().split("\\u")[1:]
    raw = "".join(chr(int(unit, 16)) for unit in units)
    return raw.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def normalize(text: str) -> str:
    """Entities and escapes decoded, links -> ``http``, @handles -> ``@user``, whitespace folded.

    >>> normalize("@united thanks &amp; bye https://t.co/x \\\\u2764")
    '@user thanks & bye http ❤'
    """
    return " ".join(unfolded(text).split())


def unfolded(text: str) -> str:
    """:func:`normalize` but for folding the whitespace (for callers that split the text next)."""
    text = text[:MAX_CHARS]
    if "&" in text:
        text = html.unescape(text)
    if "\\u" in text:
        text = _ESCAPES_RE.sub(_decode_escapes, text)
    if "://" in text or "w." in text or "W." in text:  # what any link found below contains
        text = _LINK_RE.sub("http", text)
    if "@" in text:
        text = _HANDLE_RE.sub("@user", text)
    return text
