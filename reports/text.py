"""User text and codes made safe to show, in every output (digest, alerts, CLI tables).

Apart from the digest's renderer (:mod:`reports.render`) so that what only shows text
(the alerts, ``listener trends``) loads neither Jinja's templates nor matplotlib.
"""

from __future__ import annotations

import re
import unicodedata

from reports import i18n

SOURCE_NAMES = {"x": "X", "twitter": "X", "reddit": "Reddit", "hackernews": "Hacker News",
                "hn": "Hacker News", "rss": "RSS / news", "mastodon": "Mastodon",
                "bluesky": "Bluesky", "file": "File import"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
FSI, PDI = "\u2068", "\u2069"


def clean(value: object, limit: int | None = None) -> str:
    """User text made safe to lay out: no control characters, whitespace collapsed, shortened."""
    text = _CONTROL.sub(" ", str(value or ""))
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def source_name(source: object) -> str:
    """A connector's display name ("hackernews" -> "Hacker News")."""
    return SOURCE_NAMES.get(str(source), str(source or ""))


def isolate(value: object) -> str:
    """Plain-text bidi isolation: stray overrides end at the closing PDI."""
    text = str(value or "")
    return f"{FSI}{text}{PDI}" if _needs_isolation(text) else text


def _needs_isolation(text: str) -> bool:
    if _BIDI_CONTROLS.search(text):
        return True
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def safe_url(value: object) -> str | None:
    """The URL when it is http(s) and has no whitespace or control characters; else None."""
    url = str(value or "").strip()
    if not re.match(r"(?i)^https?://[^\s\x00-\x1f\x7f]+$", url):
        return None
    return url


def reason_text(codes: tuple[str, ...], *, lang: str) -> str:
    """Why a conversation is listed, from its codes (see ``reports.model.Conversation``)."""
    parts = []
    for code in codes:
        key, _, value = str(code).partition(":")
        if key == "negative":
            parts.append(i18n.t(lang, "reason_negative", compound=i18n.format_number(float(value), lang, 2)))
        elif key in ("followers", "engagement"):
            name = "reason_followers" if key == "followers" else "reason_engagement"
            parts.append(i18n.t(lang, name, count=i18n.format_number(int(value), lang)))
        elif key == "question":
            parts.append(i18n.t(lang, "reason_question_to", handle="@" + clean(value, 60)))
        elif key == "waiting_hours":
            hours = int(value)
            parts.append(i18n.t(lang, "reason_waiting_days", count=hours // 24) if hours >= 48
                         else i18n.t(lang, "reason_waiting_hours", count=hours))
        else:
            parts.append(clean(code, 60))
    return " · ".join(parts)
