"""Hacker News (Algolia) connector against the sandbox and the recorded Algolia payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import listener.sandbox.hackernews as hn_sandbox
from connectors.base import Budget, Search
from connectors.errors import RateLimited, RetriableError
from connectors.hackernews import HackerNewsConnector, HackerNewsSettings, hit_to_mention
from listener.sandbox import Faults, Sandbox, generate_world
from tests.connectors import helpers
from tests.connectors.helpers import Sleeps, opened, topic_searches
from tests.connectors.helpers import pages_and_state as drain
from tests.connectors.loopback import Answer, serve

RECORDED = helpers.RECORDED / "hackernews" / "node-hacker-news-api_fixtures.json"
END = datetime(2026, 11, 1, 12, tzinfo=UTC)
WORLD = generate_world(start=END - timedelta(days=5), end=END, seed=4, per_day=40,
                       platforms=("hackernews",))
TOPICS = topic_searches("hackernews")


def make(sandbox_url: str, **settings) -> HackerNewsConnector:
    connector = HackerNewsConnector(HackerNewsSettings(base_url=sandbox_url, **settings),
                               sleep=Sleeps(), clock=lambda: END)
    return opened(connector)




def collect_all(connector, states=None):
    ids, states = set(), dict(states or {})
    for search in connector.searches(TOPICS):
        pages, states[search.key] = drain(connector, search, states.get(search.key))
        ids |= {m.external_id for page in pages for m in page.mentions}
    return ids, states


def test_collects_every_story_and_comment_about_the_topics():
    with Sandbox(WORLD) as sandbox:
        ids, states = collect_all(make(sandbox.url))
    assert ids == {post.id for post in WORLD.for_platform("hackernews")}
    assert all("pass" not in state and state["created_at_i"] > 0 for state in states.values())


def test_one_stream_per_or_branch_of_a_topic_query():
    keys = [s.query for s in make("http://127.0.0.1:9").searches(TOPICS[:1])]
    assert keys == ['"acme coffee"', "@acmecoffee", "#acmecoffee"]


def test_story_and_comment_fields_are_mapped():
    with Sandbox(WORLD) as sandbox:
        connector = make(sandbox.url)
        pages, _ = drain(connector, Search("k", query="coffee OR beanly OR acmecoffee OR roasters"))
    mentions = [m for page in pages for m in page.mentions]
    story = next(m for m in mentions if m.title)
    comment = next(m for m in mentions if m.is_reply)
    assert story.url == f"https://news.ycombinator.com/item?id={story.external_id}"
    assert "https://www.coffee-news.example/" in story.text and story.likes is not None
    assert comment.parent_id and "<p>" not in comment.text and comment.title is None


@pytest.mark.slow
def test_window_slides_when_more_hits_than_algolia_can_reach(monkeypatch):
    monkeypatch.setattr(hn_sandbox, "MAX_REACHABLE", 10)
    with Sandbox(WORLD) as sandbox:
        ids, _ = collect_all(make(sandbox.url, hits_per_page=5))
        slid = [path for _, path, _ in sandbox.requests("/api/v1/search_by_date") if "page=0" in path]
    assert ids == {post.id for post in WORLD.for_platform("hackernews")}
    assert len(slid) > 10  # more windows than streams


def test_budget_stop_resumes_from_the_pass_marker_then_promotes():
    search = Search("k", query="acmecoffee OR beanly OR rival OR specialty")
    with Sandbox(WORLD) as sandbox:
        connector = make(sandbox.url, hits_per_page=10)
        first, state = drain(connector, search, budget=Budget(max_requests=2))
        assert "pass" in state and state["created_at_i"] == int((END - timedelta(days=7)).timestamp())
        rest, state = drain(connector, search, state)
        whole, _ = drain(make(sandbox.url, hits_per_page=10), search)
        again, _ = drain(connector, search, state)
    got = {m.external_id for page in first + rest for m in page.mentions}
    assert got == {m.external_id for page in whole for m in page.mentions}
    assert "pass" not in state
    newest = max(int(m.created_at.timestamp()) for page in whole for m in page.mentions)
    assert state["created_at_i"] == newest
    assert {m.external_id for page in again for m in page.mentions} <= got  # only the closed-start overlap
    assert sum(len(page.mentions) for page in again) <= 2


def test_rate_limit_waits_with_injected_sleep_then_raises_rate_limited():
    with Sandbox(WORLD, Faults.parse("rate_limit:nth=1:count=10:reset=7")) as sandbox:
        connector = make(sandbox.url)
        with pytest.raises(RateLimited) as raised:
            drain(connector, Search("k", query="beanly"))
    assert raised.value.reset_at is not None or connector.sleep
    assert connector.sleep and all(seconds <= 7 for seconds in connector.sleep)


def test_rate_limit_once_is_retried_transparently():
    with Sandbox(WORLD, Faults.parse("rate_limit:nth=1:reset=2")) as sandbox:
        connector = make(sandbox.url)
        pages, _ = drain(connector, Search("k", query="beanly"))
    assert connector.sleep == [2] and pages[0].mentions


@pytest.mark.parametrize("fault", ["server_error:nth=1:count=10", "malformed:nth=1", "truncated:nth=1"])
def test_server_errors_and_broken_bodies_are_retriable(fault):
    with Sandbox(WORLD, Faults.parse(fault)) as sandbox, pytest.raises(RetriableError):
        drain(make(sandbox.url), Search("k", query="beanly"))


def test_malformed_hits_are_skipped_and_counted():
    with Sandbox(WORLD, Faults.parse("bad_items:nth=1")) as sandbox:
        pages, _ = drain(make(sandbox.url), Search("k", query="beanly"))
    assert pages[0].skipped >= 1 and pages[0].mentions


def test_empty_result_completes_the_pass_without_moving_the_bookmark():
    with Sandbox(WORLD) as sandbox:
        pages, state = drain(make(sandbox.url), Search("k", query="nothingmatchesthis"))
    assert [len(p.mentions) for p in pages] == [0]
    assert state == {"created_at_i": int((END - timedelta(days=7)).timestamp())}


def test_recorded_algolia_hits_map_to_mentions():
    fixtures = json.loads(RECORDED.read_text())
    hits = [h for f in fixtures if f["url"].startswith("/api/v1/search_by_date") for h in f["reply"]["hits"]]

    def answer(method, path, headers):
        body = {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1, "hitsPerPage": 100}
        return Answer(200, json.dumps(body).encode())

    with serve(answer) as (url, seen):
        pages, _ = drain(make(url), Search("k", query="apple"))
    assert "query=apple" in seen[0][1] and "created_at_i%3E%3D" in seen[0][1]
    mentions = [m for page in pages for m in page.mentions]
    assert len(mentions) + pages[0].skipped == len(hits)
    comment = next(m for m in mentions if m.is_reply)
    assert "&#x27;" not in comment.text and comment.parent_id
    story = hit_to_mention(next(h for h in hits if h.get("title")))
    assert story.title and story.author
