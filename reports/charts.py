"""Small PNG charts for the digest (matplotlib, Agg, no pyplot state).

Deterministic: the same data gives the same bytes (no timestamps in the PNG
metadata, fixed size, dpi and colours), so a rerun archives identical messages.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports import i18n

WIDTH_PX, HEIGHT_PX, DPI = 600, 260, 100
BRAND_COLOURS = ("#1f4e79", "#2e7d32", "#6a1b9a")
COMPETITOR_COLOURS = ("#c62828", "#ef6c00", "#8d6e63", "#546e7a", "#ad1457", "#00838f")
SENTIMENT_COLOURS = {"positive": "#2e7d32", "neutral": "#9e9e9e", "negative": "#c62828"}


def _figure() -> Figure:
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _short_label(day: date, lang: str) -> str:
    return f"{i18n.format_weekday(day, lang)[:3]} {day.day}"


def colours_for(brands: Sequence[str], competitors: Sequence[str]) -> dict[str, str]:
    colours = {name: BRAND_COLOURS[i % len(BRAND_COLOURS)] for i, name in enumerate(brands)}
    for i, name in enumerate(competitors):
        colours[name] = COMPETITOR_COLOURS[i % len(COMPETITOR_COLOURS)]
    return colours


def volume_chart(
    days: Sequence[date],
    series: Mapping[str, Sequence[int]],
    *,
    brands: Sequence[str],
    lang: str,
    title: str,
) -> bytes:
    """Mentions per day, one line per topic; brands drawn thicker. ``series[topic][i]`` is ``days[i]``."""
    figure = _figure()
    axes = figure.add_subplot()
    colours = colours_for(brands, [name for name in series if name not in brands])
    x = list(range(len(days)))
    for name, values in series.items():
        is_brand = name in brands
        axes.plot(x, list(values), label=name, color=colours[name], linewidth=2.6 if is_brand else 1.4,
                  marker="o", markersize=3.5, zorder=3 if is_brand else 2)
    axes.set_xticks(x, [_short_label(day, lang) for day in days], fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_ylim(bottom=0)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="y", color="#e0e0e0", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, fontsize=10, loc="left")
    if series:
        axes.legend(fontsize=8, frameon=False, loc="upper left", ncols=min(len(series), 4))
    figure.tight_layout()
    return _png(figure)


def sentiment_chart(
    rows: Sequence[tuple[str, int, int, int]],
    *,
    lang: str,
    title: str,
) -> bytes:
    """Stacked horizontal bars of (topic, positive, neutral, negative) counts, labelled with counts."""
    figure = _figure()
    axes = figure.add_subplot()
    names = [row[0] for row in rows]
    y = list(range(len(rows)))[::-1]
    left = [0] * len(rows)
    for index, key in enumerate(("positive", "neutral", "negative"), start=1):
        values = [row[index] for row in rows]
        bars = axes.barh(y, values, left=left, color=SENTIMENT_COLOURS[key],
                         label=i18n.t(lang, key), height=0.6)
        labels = [i18n.format_number(v, lang) if v else "" for v in values]
        axes.bar_label(bars, labels=labels, label_type="center", fontsize=7, color="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(y, [name if len(name) <= 24 else name[:23] + "…" for name in names], fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    axes.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, fontsize=10, loc="left")
    if rows:
        axes.legend(fontsize=8, frameon=False, loc="lower right")
    figure.tight_layout()
    return _png(figure)
