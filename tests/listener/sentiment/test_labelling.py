from __future__ import annotations

import random
from datetime import datetime, timedelta

from listener.sentiment.labelling import spread

MONDAY = datetime(2026, 11, 2, 9)


def test_spread_takes_one_from_each_topic_and_week_before_a_second():
    rows = [(i, "loud", MONDAY + timedelta(minutes=i)) for i in range(100)]
    rows += [(100 + week, "quiet", MONDAY + timedelta(weeks=week)) for week in range(3)]
    chosen = spread(rows, 4, random.Random(1))
    assert len(chosen) == 4 and len(set(chosen)) == 4
    assert sorted(i for i in chosen if i >= 100) == [100, 101, 102]


def test_spread_never_repeats_a_mention_matched_by_two_topics_and_stops_when_empty():
    rows = [(1, "a", MONDAY), (1, "b", MONDAY), (2, "b", MONDAY)]
    assert sorted(spread(rows, 10, random.Random(0))) == [1, 2]
    assert spread([], 5) == []
