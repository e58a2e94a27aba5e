"""Mastodon connector: Mastodon.py against the sandbox and the recorded vcrpy cassettes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import vcr

from connectors.base import Budget, Search
from connectors.errors import CredentialsError, RateLimited
from connectors.mastodon import MastodonConnector, MastodonSettings
from listener.sandbox import Faults, Sandbox, generate_world
from tests.connectors import helpers
from tests.connectors.helpers import opened, topic_searches
from tests.connectors.helpers import pages_and_state as drain

CASSETTES = str(helpers.RECORDED / "mastodon")
END = datetime(2026, 11, 1, 12, tzinfo=UTC)
WORLD = generate_world(start=END - timedelta(days=5), end=END, seed=6, per_day=30, platforms=("mastodon",))
TOPICS = topic_searches("mastodon")


def make(**settings) -> MastodonConnector:
    connector = MastodonConnector(MastodonSettings(page_size=10, **settings), sleep=lambda s: None,
                             clock=lambda: END)
    return opened(connector)




def test_hashtag_timelines_without_token_collect_everything_oldest_page_first():
    with Sandbox(WORLD) as sandbox:
        connector = make(instances=[sandbox.url])
        searches = connector.searches(TOPICS)
        assert all("/tags/" in s.key for s in searches)  # no token: no search streams
        ids, states = set(), {}
        for search in searches:
            pages, states[search.key] = drain(connector, search)
            ids |= {m.external_id for p in pages for m in p.mentions}
            mins = [int(p.state["min_id"]) for p in pages if p.state]
            assert mins == sorted(mins)
        again = [drain(connector, s, states[s.key])[0] for s in searches]
    assert len(ids) == len(WORLD.for_platform("mastodon"))
    assert all(not m for pages in again for p in pages for m in p.mentions)  # nothing twice


def test_status_fields_are_mapped():
    with Sandbox(WORLD) as sandbox:
        pages, _ = drain(make(instances=[sandbox.url]), Search(f"{sandbox.url}/tags/beanly"))
    mention = pages[0].mentions[0]
    assert "@" in mention.author and mention.author_followers is not None
    assert "<" not in mention.text and "#beanly" in mention.text and mention.lang


def test_budget_stop_resumes_from_min_id():
    with Sandbox(WORLD) as sandbox:
        connector = make(instances=[sandbox.url])
        search = Search(f"{sandbox.url}/tags/acmecoffee")
        first, state = drain(connector, search, budget=Budget(max_requests=1))
        rest, _ = drain(connector, search, state)
        whole, _ = drain(connector, search)
    assert len(first) == 1
    ids = [m.external_id for p in first + rest for m in p.mentions]
    assert sorted(ids) == sorted(m.external_id for p in whole for m in p.mentions)


def test_search_needs_the_token_and_uses_it():
    with Sandbox(WORLD) as sandbox:
        settings = sandbox.connector_settings("mastodon")
        connector = make(**settings)
        search = next(s for s in connector.searches(TOPICS) if "/search?q=" in s.key)
        pages, state = drain(connector, search)
        assert pages and "min_id" in state and "pass" not in state
        with pytest.raises(CredentialsError, match="access_token"):
            drain(make(instances=[sandbox.url], access_token="wrong"), search)


def test_rate_limit_raises_with_reset_time_and_never_sleeps():
    faults = Faults.parse("rate_limit:nth=1:count=10:reset=30")
    with Sandbox(WORLD, faults) as sandbox, pytest.raises(RateLimited) as raised:
        drain(make(instances=[sandbox.url]), Search(f"{sandbox.url}/tags/beanly"))
    assert raised.value.reset_at is not None


def test_malformed_statuses_are_skipped_and_counted():
    with Sandbox(WORLD, Faults.parse("bad_items:nth=1")) as sandbox:
        pages, _ = drain(make(instances=[sandbox.url]), Search(f"{sandbox.url}/tags/acmecoffee"))
    assert pages[0].skipped >= 1 and pages[0].mentions


def test_recorded_hashtag_timeline_replays_through_mastodon_py():
    recorder = vcr.VCR(record_mode="none", decode_compressed_response=True,
                       match_on=["method", "scheme", "host", "port", "path"])
    with recorder.use_cassette(f"{CASSETTES}/mastodonpy_test_hashtag_tl.yaml"):
        connector = MastodonConnector(MastodonSettings(instances=["http://localhost:3000"]),
                                      clock=lambda: datetime(2026, 7, 30, tzinfo=UTC))
        opened(connector)
        pages, state = drain(connector, Search("http://localhost:3000/tags/hoot"))
    (mention,) = [m for p in pages for m in p.mentions]
    assert mention.text.startswith("#hoot") and mention.lang == "ja"
    assert mention.author == "mastodonpy_test_2@localhost:3000"
    assert state == {"min_id": "117020593741189701"}
