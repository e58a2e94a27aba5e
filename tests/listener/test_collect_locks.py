"""Collect locks are per connector: different sources collect side by side, one source never twice at once."""

from __future__ import annotations

import threading

import pytest

from listener import pipeline, service
from listener.config import load
from listener.lock import Locked, collect_locks
from storage import db

SOURCES = """[connectors.rss]
feeds = ["https://feeds.example/acme.xml"]
[serve]
jitter_seconds = 0
"""


@pytest.mark.real_sleep  # then both jobs score, one waiting (polling) for the other's score lock
def test_serve_jobs_of_two_sources_collect_at_the_same_time(write_config, database_url, monkeypatch):
    path = write_config(SOURCES, url=database_url)
    db.create(database_url).dispose()  # as serve does before it schedules anything
    # Each job's collect waits until the other job's collect has started too: with one
    # lock for every source the second job could not start, and the barrier would break.
    both_inside = threading.Barrier(2, timeout=30)
    inside: list[str] = []

    def collect(engine, config, *, only=None, **_kwargs):
        inside.append(only[0])
        both_inside.wait()
        return pipeline.CollectReport(run_id=0)

    monkeypatch.setattr(pipeline, "collect", collect)
    jobs = [threading.Thread(target=service.run_collect, args=(str(path), name)) for name in ("file", "rss")]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    assert sorted(inside) == ["file", "rss"]
    assert not both_inside.broken


def test_a_source_being_collected_is_refused_to_a_second_run_others_are_not(write_config, database_url):
    config = load(write_config(SOURCES, url=database_url))
    with collect_locks(config, ["file"]):
        with pytest.raises(Locked, match=r"collect\.file"), collect_locks(config, ["rss", "file"]):
            pass
        with collect_locks(config, ["rss"]):  # another source: not blocked
            pass
    with collect_locks(config, ["rss", "file"]):  # rss was released when file was refused
        pass
