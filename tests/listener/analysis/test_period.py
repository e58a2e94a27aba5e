from __future__ import annotations

from datetime import date, datetime

import pytest

from listener.analysis.period import PeriodError, day, iso_week, parse, previous


def test_iso_week_label_gives_monday_to_monday_naive_utc():
    week = iso_week("2026-W47")
    assert (week.start, week.end, week.label) == (datetime(2026, 11, 16), datetime(2026, 11, 23),
                                                  "2026-W47")
    assert week.start.tzinfo is None
    assert len(week.days) == 7 and week.days[0] == date(2026, 11, 16)


def test_default_is_the_last_full_week():
    assert iso_week(today=date(2026, 11, 25)).label == "2026-W47"  # a Wednesday of W48
    assert iso_week(today=date(2026, 11, 23)).label == "2026-W47"  # Monday of W48
    assert iso_week(today=date(2026, 11, 22)).label == "2026-W46"  # Sunday of W47


def test_previous_week_crosses_years():
    assert previous(iso_week("2026-W01")).label == "2025-W52"
    assert previous(iso_week("2021-W01")).label == "2020-W53"


@pytest.mark.parametrize("bad", ["2026-47", "W47", "2026-W54", "2025-W53", "2026-W00"])
def test_bad_week_labels_are_explained(bad):
    with pytest.raises(PeriodError, match=r"2026-W47|ISO week"):
        iso_week(bad)


def test_days_and_ranges():
    one = day("2026-11-16")
    assert (one.start, one.end) == (datetime(2026, 11, 16), datetime(2026, 11, 17))
    assert previous(one).label == "2026-11-15"
    span = parse("2026-11-01..2026-11-03")
    assert span.days == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    assert previous(span).days == [date(2026, 10, 29), date(2026, 10, 30), date(2026, 10, 31)]
    assert datetime(2026, 11, 3, 23, 59) in span and datetime(2026, 11, 4) not in span
