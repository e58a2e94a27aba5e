"""Sentiment figures of a topic's week: raw story counts and the corrected net sentiment.

Input: story counts per (label, language, scorer), from one group-by over the
week's first copies (:func:`listener.analysis.trends.period_figures`). Output:

* ``positive``/``neutral``/``negative``/``unscored``: raw story counts (stories not
  scored yet count as unscored);
* ``net``: the raw net sentiment, (positive − negative) / scored;
* ``net_adjusted`` and ``net_interval``: the estimate a manager should read, with its
  90 % interval: the label shares corrected per language with the scorer's confusion
  matrix (adjusted classify-and-count, :func:`listener.sentiment.adjust.adjust`).
  The matrix is the user's own (from their labels) when there are enough, else the
  one shipped with the model; a language without either stays uncorrected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from functools import cache

from sqlalchemy import Connection

from listener.sentiment import calibration
from listener.sentiment.adjust import WIDE_BELOW, Calibration, adjust, shipped_calibrations
from listener.sentiment.card import ModelFileError
from reports.figures import SentimentFigures

SCORED = ("positive", "neutral", "negative")

# (label, language, scorer) -> stories
Counts = Mapping[tuple[str | None, str | None, str | None], int]


def _round(value: float | None) -> float | None:
    # the JSON and the digest show the same rounded figure
    return None if value is None else round(value, 4)


Calibrations = Callable[[str], Mapping[str, Calibration]]  # scorer -> per-language calibrations


def shipped(scorer: str) -> Mapping[str, Calibration]:
    """The calibrations shipped for ``scorer``; none (no correction) when the card is absent."""
    try:
        return shipped_calibrations(scorer)
    except ModelFileError:
        return {}


def calibrations_for(connection: Connection) -> Calibrations:
    """Per scorer and language: the user's own calibration (from their labels) when there
    are enough, else the shipped one. Looked up once per scorer."""

    @cache
    def lookup(scorer: str) -> Mapping[str, Calibration]:
        try:
            return calibration.calibrations_for(connection, scorer)
        except ModelFileError:  # no model card: only the user's own labels can correct
            return calibration.user_calibrations(connection, scorer)

    return lookup


def figures(counts: Counts, calibrations: Calibrations = shipped) -> SentimentFigures:
    raw = dict.fromkeys((*SCORED, "unscored"), 0)
    by_language: dict[str, Counter[str]] = {}
    scorers: dict[str, Counter[str]] = {}
    for (label, lang, scorer), n in counts.items():
        raw[label if label in SCORED else "unscored"] += int(n)
        if label in SCORED:
            by_language.setdefault(lang or "", Counter())[label] += int(n)
            scorers.setdefault(lang or "", Counter())[scorer or ""] += int(n)
    scored = sum(raw[label] for label in SCORED)
    net = net_adjusted = interval = None
    if scored:
        # each language corrected with the matrix of the scorer that labelled most of it
        chosen = {lang: calibrations(used.most_common(1)[0][0]).get(lang)
                  for lang, used in scorers.items()}
        estimate = adjust(by_language, {lang: c for lang, c in chosen.items() if c is not None})
        net, net_adjusted = estimate.raw_net, estimate.net
        interval = (_round(estimate.net_interval[0]), _round(estimate.net_interval[1]))
    return SentimentFigures(
        positive=raw["positive"], neutral=raw["neutral"], negative=raw["negative"],
        unscored=raw["unscored"], net=_round(net), net_adjusted=_round(net_adjusted),
        net_interval=interval, wide=scored < WIDE_BELOW)  # type: ignore[arg-type]
