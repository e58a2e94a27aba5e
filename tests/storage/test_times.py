"""Times stored as naive UTC: to_db's shortcut for UTC datetimes drops the zone and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.times import from_db, to_db


@given(st.datetimes(timezones=st.just(UTC)), st.sampled_from([0, 1]))
@settings(max_examples=500)
def test_a_utc_time_is_stored_as_the_same_naive_time_fold_included(moment, fold):
    moment = moment.replace(fold=fold)
    stored = to_db(moment)
    assert (type(stored), stored.tzinfo, stored.fold, stored) == (datetime, None, fold, moment.replace(tzinfo=None))
    assert from_db(stored) == moment


def test_a_time_in_another_zone_is_stored_as_utc_and_a_naive_one_as_it_is():
    paris = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    assert to_db(paris) == datetime(2026, 3, 1, 11, 30)
    assert to_db(datetime(2026, 3, 1, 12, 30)) == datetime(2026, 3, 1, 12, 30)
