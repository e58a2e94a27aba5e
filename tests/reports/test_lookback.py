"""The three look-back sentences come from the figures and tell what changed most."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from listener.analysis.spikes import Spike
from reports.lookback import look_back
from reports.render import render


def test_three_sentences_from_the_figures_biggest_change_first(digest_factory):
    digest = digest_factory("en")
    sentences = look_back(digest)
    assert len(sentences) == 3
    assert sentences[0] == ("Criticism about Delays and waiting grew to 45% of negative stories "
                            "(90 of 200), from 20% last week.")
    assert "1,234 stories this week (1,500 mentions), +23% vs last week's 1,000" in sentences[1]
    rendered = render(digest)
    for part in (rendered.html, rendered.text):
        assert "A week to look back on" in part and "grew to 45%" in part


def test_a_big_spike_leads_and_a_small_sample_says_its_interval_is_wide(digest_factory):
    digest = digest_factory("en")
    acme = digest.figures[0]
    spike = Spike("Acme", date(2026, 11, 19), observed=900, baseline=100.0, threshold=160.0,
                  mad=20.0)
    small = replace(acme.sentiment, positive=12, neutral=3, negative=2, wide=True)
    digest.figures[0] = replace(acme, spikes=(spike,), sentiment=small, themes=())
    sentences = look_back(digest)
    assert sentences[0] == "Mentions of Acme spiked on Nov 19, 2026: 900 against a usual 100 a day."
    assert any("a wide interval" in s for s in sentences)


def test_french_sentences(digest_factory):
    sentences = look_back(digest_factory("fr"))
    assert sentences[0].startswith("Les critiques sur « Retards et attente » montent à 45\u202f%")
