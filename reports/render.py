"""Digest model -> subject, HTML, plain text and inline charts.

The HTML environment autoescapes everything; nothing user-supplied is ever marked
safe. Links are only emitted for http(s) URLs. User text is cleaned of control
characters and isolated for bidi so a right-to-left override cannot reorder the
digest around it.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
)
from jinja2.bccache import Bucket

from reports import i18n
from reports.lookback import look_back
from reports.model import Chart, Digest

TEMPLATES = Path(__file__).with_name("templates")
SOURCE_NAMES = {"x": "X", "twitter": "X", "reddit": "Reddit", "hackernews": "Hacker News",
                "hn": "Hacker News", "rss": "RSS / news", "mastodon": "Mastodon",
                "bluesky": "Bluesky", "file": "File import"}
POST_MAX_CHARS = 480
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
FSI, PDI = "\u2068", "\u2069"


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    charts: list[Chart]


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


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's own cache of compiled templates, in its per-user temporary directory: a
    process rendering its first digest loads the templates' code instead of compiling
    them (0.08 s of a digest's CPU). One per ``kind``: the two environments include the
    same partials, compiled differently (autoescape). A cache that cannot be written is
    no cache, not an error."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _compiled(kind: str) -> BytecodeCache | None:
    try:
        return _CompiledTemplates(pattern=f"__listener_{kind}_%s.cache")
    except (OSError, RuntimeError):  # no safe temporary directory: compile every time
        return None


def environment(kind: str, lang: str) -> Environment:
    """``kind`` "html" autoescapes every expression; "text" renders the plain-text part."""
    i18n.check_language(lang)
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=_compiled(kind),
        autoescape=kind == "html",  # the text part is never parsed as HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(t=partial(i18n.t, lang), lang=lang, reason=partial(reason_text, lang=lang),
                       c=i18n.COLON[lang], sc=i18n.SEMICOLON[lang])
    env.filters.update(
        num=partial(_num, lang=lang),
        pct=partial(_pct, lang=lang),
        spct=partial(_pct, lang=lang, signed=True),
        range_pct=partial(_range_pct, lang=lang),
        date=partial(_date, lang=lang),
        datetime=partial(i18n.format_datetime, lang=lang),
        weekday=partial(i18n.format_weekday, lang=lang),
        clean=clean,
        source_name=source_name,
        isolate=isolate,
        safe_url=safe_url,
        since=partial(_since, lang=lang),
        lang_counts=partial(_lang_counts, lang=lang),
    )
    return env


def _num(value: float | int | None, decimals: int = 0, *, lang: str) -> str:
    return i18n.format_number(value, lang, decimals)


def _pct(value: float | None, decimals: int = 0, *, lang: str, signed: bool = False) -> str:
    return i18n.format_percent(value, lang, decimals, signed=signed)


def _range_pct(bounds: tuple[float, float] | None, *, lang: str) -> str:
    """A 90 % interval as "−12% … +8%"."""
    if not bounds:
        return "–"
    low, high = (i18n.format_percent(v, lang, signed=True) for v in bounds)
    return f"{low} … {high}"


def _since(value: date | datetime, now: datetime, *, lang: str) -> str:
    return i18n.format_since(value, now.date(), lang)


def _lang_counts(counts: dict[str, int], *, lang: str) -> str:
    unknown = i18n.t(lang, "unknown_language")
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))
    return ", ".join(f"{clean(code, 16) or unknown}{i18n.COLON[lang]} {i18n.format_number(n, lang)}"
                     for code, n in ordered)


def reason_text(codes: tuple[str, ...], *, lang: str) -> str:
    """Why a conversation is listed, from its codes (see ``reports.model.Conversation``)."""
    parts = []
    for code in codes:
        key, _, value = str(code).partition(":")
        if key == "negative":
            parts.append(i18n.t(lang, "reason_negative", compound=_num(float(value), 2, lang=lang)))
        elif key in ("followers", "engagement"):
            name = "reason_followers" if key == "followers" else "reason_engagement"
            parts.append(i18n.t(lang, name, count=_num(int(value), lang=lang)))
        elif key == "question":
            parts.append(i18n.t(lang, "reason_question_to", handle="@" + clean(value, 60)))
        elif key == "waiting_hours":
            hours = int(value)
            parts.append(i18n.t(lang, "reason_waiting_days", count=hours // 24) if hours >= 48
                         else i18n.t(lang, "reason_waiting_hours", count=hours))
        else:
            parts.append(clean(code, 60))
    return " · ".join(parts)


def _date(value: date | datetime | None, *, lang: str) -> str:
    return i18n.format_date(value, lang)


def subject(digest: Digest) -> str:
    lang = digest.language
    return i18n.t(lang, "subject", name=clean(digest.name, 80), week=digest.period_label,
                  start=i18n.format_date(digest.start, lang), end=i18n.format_date(digest.end, lang))


def build_charts(digest: Digest) -> list[Chart]:
    # matplotlib is imported here, not with this module: it is 0.3 s and tens of MB, and the
    # alerts and `listener trends` use this module's text helpers but draw no chart
    from reports import charts

    lang = digest.language
    out = []
    names = ", ".join([*digest.brands, *digest.competitors])
    if digest.daily_volume:
        png = charts.volume_chart(digest.days, digest.daily_volume, brands=digest.brands, lang=lang,
                                  title=i18n.t(lang, "chart_volume"))
        out.append(Chart(cid=f"volume.{digest.name}@listener", filename="volume.png", png=png,
                         alt=i18n.t(lang, "chart_volume_alt", topics=names),
                         width=charts.WIDTH_PX, height=charts.HEIGHT_PX))
    if digest.comparison:
        rows = [(row.topic, row.sentiment.positive, row.sentiment.neutral, row.sentiment.negative)
                for row in digest.comparison]
        png = charts.sentiment_chart(rows, lang=lang, title=i18n.t(lang, "chart_sentiment"))
        out.append(Chart(cid=f"sentiment.{digest.name}@listener", filename="sentiment.png", png=png,
                         alt=i18n.t(lang, "chart_sentiment_alt", topics=names),
                         width=charts.WIDTH_PX, height=charts.HEIGHT_PX))
    return out


def render(digest: Digest, *, image_src: dict[str, str] | None = None) -> Rendered:
    """Render both parts. Images are referenced as ``cid:…`` unless ``image_src`` maps a cid
    to another source (a data: URI for a browser preview)."""
    built = build_charts(digest)
    sources = {chart.cid: (image_src or {}).get(chart.cid, f"cid:{chart.cid}") for chart in built}
    context = {"d": digest, "charts": built, "image_src": sources, "post_max": POST_MAX_CHARS,
               "look_back": look_back(digest)}
    html = environment("html", digest.language).get_template("digest.html.j2").render(context)
    text = environment("text", digest.language).get_template("digest.txt.j2").render(context)
    return Rendered(subject=subject(digest), html=html, text=text, charts=built)
