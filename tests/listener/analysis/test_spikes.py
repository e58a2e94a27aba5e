from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from listener.analysis.period import iso_week
from listener.analysis.spikes import detect_spikes, evaluate_day, mark_reported, new_spikes

SPIKE_DAY = date(2026, 11, 18)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


@pytest.fixture
def history(data):
    """28 ordinary days of 4–6 mentions, then 40 on SPIKE_DAY and 30 the day after."""
    data.topic("Acme", "acme")
    for offset in range(28, 0, -1):
        day = SPIKE_DAY - timedelta(days=offset)
        for i in range(4 + offset % 3):
            data.mention("Acme", at(day, i), label=None)
    for i in range(40):
        data.mention("Acme", at(SPIKE_DAY, i % 24), f"acme outage {i}", label=None,
                     followers=1000 * i)
    for i in range(30):
        data.mention("Acme", at(SPIKE_DAY + timedelta(days=1), i % 24), label=None)
    for i in range(5):
        data.mention("Acme", at(SPIKE_DAY + timedelta(days=2), i), label=None)
    return data


def test_baseline_is_median_plus_k_mad():
    series = {date(2026, 1, d): v for d, v in zip(range(1, 8), [4, 5, 6, 5, 4, 6, 5], strict=True)}
    series[date(2026, 1, 8)] = 20
    spike, baseline, mad, threshold, days = evaluate_day(
        series, date(2026, 1, 8), k=3, min_volume=10, lookback_days=7, min_history=7)
    assert (spike, baseline, mad, threshold, days) == (True, 5.0, 1.0, 8.0, 7)


def test_spike_found_with_its_explanation_and_posts(history, engine):
    with engine.connect() as c:
        (spike,) = detect_spikes(c, ["Acme"], SPIKE_DAY)
    assert (spike.topic, spike.day, spike.observed, spike.baseline, spike.mad) == (
        "Acme", SPIKE_DAY, 40, 5.0, 1.0)
    assert spike.threshold == 8.0 and spike.history_days == 28
    assert len(spike.top_posts) == 3 and spike.top_posts[0]["followers"] == 39_000
    assert "median" in spike.explain()


def test_ordinary_day_is_not_a_spike(history, engine):
    with engine.connect() as c:
        assert detect_spikes(c, ["Acme"], SPIKE_DAY - timedelta(days=1)) == []
        assert detect_spikes(c, ["Acme"], SPIKE_DAY + timedelta(days=2)) == []


def test_a_small_rise_below_min_volume_is_not_a_spike(data, engine):
    data.topic("Quiet", "quiet")
    for offset in range(1, 15):
        data.mention("Quiet", at(SPIKE_DAY - timedelta(days=offset)), label=None)
    for _ in range(6):
        data.mention("Quiet", at(SPIKE_DAY), label=None)
    with engine.connect() as c:
        assert detect_spikes(c, ["Quiet"], SPIKE_DAY) == []
        assert len(detect_spikes(c, ["Quiet"], SPIKE_DAY, min_volume=5)) == 1


def test_a_new_topic_without_history_has_no_spike(data, engine):
    data.topic("Fresh", "fresh")
    for _ in range(50):
        data.mention("Fresh", at(SPIKE_DAY), label=None)
    with engine.connect() as c:
        assert detect_spikes(c, ["Fresh"], SPIKE_DAY) == []


def test_one_event_is_reported_exactly_once(history, engine):
    week = iso_week("2026-W47")
    reported = []
    for _run in range(2):  # e.g. the daily alert job, then a rerun
        for day in week.days:
            with engine.begin() as c:
                fresh = new_spikes(c, detect_spikes(c, ["Acme"], day), channel="email")
                mark_reported(c, fresh, channel="email")
                reported += fresh
    assert [(s.topic, s.day) for s in reported] == [("Acme", SPIKE_DAY)]
    with engine.connect() as c:  # both event days are spikes, the second is cooled down
        both = detect_spikes(c, ["Acme"], week)
        assert [s.day for s in both] == [SPIKE_DAY, SPIKE_DAY + timedelta(days=1)]
        assert new_spikes(c, both, channel="digest") == both[:1]
