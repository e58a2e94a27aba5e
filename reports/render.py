"""Digest model -> subject, HTML, plain text and inline charts.

The HTML environment autoescapes everything; nothing user-supplied is ever marked
safe. Links are only emitted for http(s) URLs. User text is cleaned of control
characters and isolated for bidi so a right-to-left override cannot reorder the
digest around it.
"""

from __future__ import annotations

import contextlib
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

from reports import charts, i18n
from reports.lookback import look_back
from reports.model import Chart, Digest
from reports.text import clean, isolate, reason_text, safe_url, source_name

TEMPLATES = Path(__file__).with_name("templates")
POST_MAX_CHARS = 480


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    charts: list[Chart]


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


def _date(value: date | datetime | None, *, lang: str) -> str:
    return i18n.format_date(value, lang)


def subject(digest: Digest) -> str:
    lang = digest.language
    return i18n.t(lang, "subject", name=clean(digest.name, 80), week=digest.period_label,
                  start=i18n.format_date(digest.start, lang), end=i18n.format_date(digest.end, lang))


def build_charts(digest: Digest) -> list[Chart]:
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
