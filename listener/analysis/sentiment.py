"""Sentiment figures of a topic's week: raw story counts and the net sentiment estimate.

Input: story counts per (label, language, scorer), from one group-by over the
week's first copies (:func:`listener.analysis.trends.week_figures`). Output:

* ``positive``/``neutral``/``negative``/``unscored``: raw story counts (stories not
  scored yet count as unscored);
* ``net``: the raw net sentiment, (positive − negative) / scored;
* ``net_adjusted`` and ``net_interval``: the estimate a manager should read, with
  its 90 % interval. Until the corrected totals of the learned model are wired in,
  the estimate is the raw net and the interval the normal approximation of its
  sampling error: var = (p₊ + p₋ − net²) / scored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCORED = ("positive", "neutral", "negative")
WIDE_BELOW = 30  # fewer scored stories than this: the interval is wide, and the text says so
Z90 = 1.6448536269514722  # two-sided 90 %

# (label, language, scorer) -> stories
Counts = Mapping[tuple[str | None, str | None, str | None], int]


@dataclass(frozen=True)
class SentimentFigures:
    positive: int
    neutral: int
    negative: int
    unscored: int
    net: float | None
    net_adjusted: float | None
    net_interval: tuple[float, float] | None

    @property
    def scored(self) -> int:
        return self.positive + self.neutral + self.negative

    @property
    def wide(self) -> bool:
        return self.scored < WIDE_BELOW

    def as_json(self) -> dict[str, Any]:
        return {"positive": self.positive, "neutral": self.neutral, "negative": self.negative,
                "unscored": self.unscored, "net": _round(self.net),
                "net_adjusted": _round(self.net_adjusted),
                "net_interval": None if self.net_interval is None
                else [_round(v) for v in self.net_interval]}


def _round(value: float | None) -> float | None:
    # the JSON and the digest show the same rounded figure
    return None if value is None else round(value, 4)


def figures(counts: Counts) -> SentimentFigures:
    raw = {label: 0 for label in (*SCORED, "unscored")}
    for (label, _lang, _scorer), n in counts.items():
        raw[label if label in SCORED else "unscored"] += int(n)
    scored = sum(raw[label] for label in SCORED)
    net = (raw["positive"] - raw["negative"]) / scored if scored else None
    interval = None
    if net is not None:
        spread = (raw["positive"] + raw["negative"]) / scored - net * net
        half = Z90 * math.sqrt(max(spread, 0.0) / scored)
        interval = (max(-1.0, net - half), min(1.0, net + half))
    return SentimentFigures(
        positive=raw["positive"], neutral=raw["neutral"], negative=raw["negative"],
        unscored=raw["unscored"], net=_round(net), net_adjusted=_round(net),
        net_interval=None if interval is None else (_round(interval[0]), _round(interval[1])))
