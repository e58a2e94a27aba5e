"""A week to look back on: three sentences a manager can forward, generated from the figures.

Every sentence is made from the brands' week records (the data of ``listener trends
--format json``), never written by hand. Candidates, each with a weight for how much
changed:

* stories: |relative change| vs last week (0.1 when last week had fewer than 5);
* net sentiment: 2 × |change of the estimate| (only when both weeks have one);
* a spike: (observed − usual) / usual of the week's largest spike;
* a theme of criticism: |change of its share| of negative stories, +0.25 when it is
  new this week (none last week, at least 2 now);
* share of voice: 2 × |change|.

The three heaviest are told, heaviest first, with the numbers behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from reports import i18n
from reports.model import Digest, TopicWeek

STEADY = 0.02  # a net sentiment change smaller than this is "steady"


@dataclass(frozen=True)
class _Candidate:
    weight: float
    text: str


def look_back(digest: Digest, count: int = 3) -> list[str]:
    lang = digest.language
    candidates: list[_Candidate] = []
    for row in digest.headline:
        candidates += _for_topic(row, lang, digest.theme_name)
    candidates.sort(key=lambda c: -c.weight)
    return [c.text for c in candidates[:count]]


def _say(lang: str, topic: str, key: str, **values: str) -> str:
    return i18n.t(lang, key, topic=topic, **values)


def _for_topic(row: TopicWeek, lang: str, theme_name) -> list[_Candidate]:
    t = partial(_say, lang, row.topic)
    num = partial(i18n.format_number, lang=lang)
    pct = partial(i18n.format_percent, lang=lang)
    before = row.previous
    out = []
    if before is None or before.stories == 0:
        out.append(_Candidate(0.1, t("lb_stories_new", stories=num(row.stories),
                                     mentions=num(row.mentions))))
    else:
        change = (row.stories - before.stories) / before.stories
        out.append(_Candidate(abs(change) if before.stories >= 5 else 0.1, t(
            "lb_stories", stories=num(row.stories), mentions=num(row.mentions),
            change=pct(change, signed=True), previous=num(before.stories))))
    now_net, s = row.sentiment.net_adjusted, row.sentiment
    if now_net is not None and before is not None and before.sentiment.net_adjusted is not None:
        delta = now_net - before.sentiment.net_adjusted
        key = "lb_net_steady" if abs(delta) < STEADY else "lb_net_up" if delta > 0 else "lb_net_down"
        low, high = s.net_interval or (now_net, now_net)
        text = t(key, now=pct(now_net, signed=True),
                 previous=pct(before.sentiment.net_adjusted, signed=True),
                 low=pct(low, signed=True), high=pct(high, signed=True), scored=num(s.scored))
        if s.wide:
            text = text[:-1] + i18n.t(lang, "lb_wide")
        out.append(_Candidate(2 * abs(delta), text))
    if row.spikes:
        spike = max(row.spikes, key=lambda p: p.observed - p.baseline)
        out.append(_Candidate((spike.observed - spike.baseline) / max(spike.baseline, 1.0), t(
            "lb_spike", day=i18n.format_date(spike.day, lang), observed=num(spike.observed),
            baseline=num(spike.baseline, decimals=0 if float(spike.baseline).is_integer() else 1))))
    themes = [th for th in row.themes if th.theme != "other" and th.share is not None]
    if themes:
        def weight(th) -> float:
            new = th.previous_negative_stories == 0 and th.negative_stories >= 2
            return abs((th.share or 0) - (th.previous_share or 0)) + (0.25 if new else 0)

        theme = max(themes, key=weight)
        if theme.previous_negative_stories == 0 and theme.negative_stories >= 2:
            key = "lb_theme_new"
        else:
            key = "lb_theme_up" if (theme.share or 0) >= (theme.previous_share or 0) else "lb_theme_down"
        out.append(_Candidate(weight(theme), t(
            key, theme=theme_name(theme.theme), share=pct(theme.share), count=num(theme.negative_stories),
            total=num(s.negative), previous=pct(theme.previous_share))))
    if row.share_of_voice is not None and before is not None and before.share_of_voice is not None:
        out.append(_Candidate(2 * abs(row.share_of_voice - before.share_of_voice), t(
            "lb_voice", now=pct(row.share_of_voice), previous=pct(before.share_of_voice),
            stories=num(row.stories), total=num(row.voice_total))))
    return out
