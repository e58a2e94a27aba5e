"""Reddit's first pass with stale repeated pages loses no post and never reports ok early (item 3).

The sandbox's ``repeat`` fault serves the previous page again, ``after`` token
included. The connector reads a stale page again; if it stays stale, the
paginator ends the pass ``partial`` with its progress marker, and the next run
resumes there. Through the real pipeline, from an empty database (no cursor).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.reddit import RedditConnector
from listener.config import validate
from listener.pipeline import collect
from listener.query import parse
from listener.sandbox import DEMO_TOPICS, Faults, Sandbox, generate_world
from listener.sandbox.reddit import fullname, is_submission
from storage.schema import mentions
from tests.connectors.helpers import Sleeps

TOPIC = next(t for t in DEMO_TOPICS if t.kind == "brand")


@pytest.mark.parametrize(("stale_rereads", "page_size"), [
    pytest.param(2, 10, marks=pytest.mark.slow),  # a stale page is read again until fresh: one run, ok
    (0, 50),  # re-reads off: each stale page ends the pass partial, and the next run resumes it
])
def test_a_first_pass_with_stale_repeated_pages_stores_every_post(sqlite_engine, monkeypatch, stale_rereads,
                                                                   page_size):
    monkeypatch.setattr("connectors.reddit.STALE_REREADS", stale_rereads)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    world = generate_world(start=end - timedelta(days=5), end=end, seed=13, per_day=400, platforms=("reddit",))
    query = parse(TOPIC.query)
    expected = {fullname(p) for p in world.for_platform("reddit")
                if is_submission(p) and query.matches(f"{p.title or ''}\n{p.text}")}
    config = validate({"topics": [{"name": TOPIC.name, "kind": TOPIC.kind, "query": TOPIC.query}]})
    statuses = []
    with Sandbox(world, Faults.parse("repeat:rate=0.4", seed=2)) as sandbox:
        settings = {**sandbox.connector_settings("reddit"), "page_size": page_size, "max_requests": 1000}
        for _ in range(30):
            reddit = RedditConnector(RedditConnector.Settings.model_validate(settings))
            reddit.sleep = Sleeps()
            report = collect(sqlite_engine, config, connectors=[reddit]).connectors[0]
            statuses.append(report.status)
            with sqlite_engine.connect() as connection:
                stored = set(connection.scalars(select(mentions.c.external_id)))
            if report.status == "ok":
                assert stored >= expected, f"ok with {len(expected - stored)} of {len(expected)} posts missing"
                break
            assert report.status == "partial" and "twice" in report.error
        paths = [path for _, path, _ in sandbox.requests("/r/")]
    served_again = sum(1 for before, after in itertools.pairwise(paths) if before == after)
    assert stored >= expected and len(expected) > 300
    if stale_rereads:
        assert statuses == ["ok"] and served_again > 0
    else:
        assert len(statuses) > 1 and statuses[-1] == "ok"
