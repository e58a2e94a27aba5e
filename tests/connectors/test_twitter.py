"""The X connector: real tweepy code against the sandbox and against recorded payloads."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import vcr

from connectors.base import Budget, Search
from connectors.errors import CredentialsError, FatalError, RateLimited, RetriableError
from connectors.twitter import XConnector, x_query
from listener.platform_queries import render
from listener.query import parse
from listener.sandbox import DEMO_TOPICS, Faults, Sandbox, World
from tests.connectors import helpers
from tests.connectors.helpers import connector, drain, topic_query, topic_searches, world

RECORDED = helpers.RECORDED / "twitter"
ACME = topic_searches("x")[0]
# Rate-limit tests run on the real clock (reset headers are real times): a bookmark
# before every post stands in for the backfill window.
EVERYTHING = {"since_id": "1"}


@pytest.fixture(scope="module")
def small_world() -> World:
    return world()


def expected_ids(w: World, search: Search, **options) -> set[str]:
    query = parse(topic_query(search.topic))
    return {p.id for p in w.for_platform("x") if query.matches(p.text)
            and not (options.get("exclude_retweets") and p.is_repost)}


@pytest.mark.parametrize(("query", "options", "expected"), [
    ('"acme coffee" OR @acmecoffee OR #acmecoffee', {}, '"acme coffee" OR @acmecoffee OR #acmecoffee'),
    ("acme -job -hiring", {}, "acme -job -hiring"),
    ("acme -(job OR hiring)", {}, "acme -(job OR hiring)"),
    ("(acme OR beanly) NOT (cheap coffee)", {}, "(acme OR beanly) -(cheap coffee)"),
    ("acme OR beanly", {"exclude_retweets": True, "languages": ["en", "fr"]},
     "(acme OR beanly) -is:retweet (lang:en OR lang:fr)"),
    ("acme", {"languages": ["fr"]}, "acme lang:fr"),
])
def test_topic_query_is_translated_to_x_syntax(query, options, expected):
    assert x_query(render("x", query), **options) == expected


def test_search_paginates_and_promotes_since_id_at_the_end_of_the_pass(small_world):
    with Sandbox(small_world) as sandbox:
        x = connector("x", sandbox, page_size=10)
        run = drain(x, ACME)
    expected = expected_ids(small_world, ACME)
    assert len(run.pages) == -(-len(expected) // 10) > 2
    assert run.ids == expected
    assert len(run.mentions) == len(run.ids)  # no duplicates across pages
    for page in run.pages[:-1]:  # mid-pass pages keep the old bookmark and a progress marker
        assert page.state["since_id"] is None and page.state["pass"]["next_token"]
    assert run.state == {"since_id": max(expected, key=int)}


def test_mentions_carry_author_metrics_and_references(small_world):
    with Sandbox(small_world) as sandbox:
        run = drain(connector("x", sandbox), ACME)
    by_id = {m.external_id: m for m in run.mentions}
    for post in small_world.for_platform("x"):
        if post.id not in by_id:
            continue
        mention = by_id[post.id]
        assert (mention.author, mention.author_id, mention.author_name) == (post.author, post.author_id,
                                                                          post.author_name)
        assert mention.author_followers == post.followers
        assert (mention.likes, mention.reposts, mention.replies, mention.views) == (
            post.likes, post.reposts, post.replies, post.views)
        assert mention.is_repost == post.is_repost and mention.parent_id == post.parent_id
        assert mention.url == f"https://x.com/{post.author}/status/{post.id}"
        assert mention.lang == post.lang and mention.created_at.tzinfo is not None
        assert mention.raw["id"] == post.id
    assert any(m.is_repost for m in run.mentions)


def test_rerun_from_the_cursor_asks_since_id_and_gets_only_new_posts(small_world):
    cut = small_world.posts[len(small_world.posts) // 2].created_at
    early = World([p for p in small_world.posts if p.created_at < cut], small_world.topics,
                  small_world.start, cut, small_world.seed)
    with Sandbox(early) as sandbox:
        first = drain(connector("x", sandbox), ACME)
    with Sandbox(small_world) as sandbox:
        second = drain(connector("x", sandbox), ACME, first.state)
        assert all("since_id=" in path and "start_time" not in path for _, path, _ in sandbox.log)
        third = drain(connector("x", sandbox), ACME, second.state)
    assert first.ids and second.ids and not first.ids & second.ids
    assert first.ids | second.ids == expected_ids(small_world, ACME)
    assert third.ids == set() and third.state == second.state


def test_first_run_looks_back_backfill_days(small_world):
    with Sandbox(small_world) as sandbox:
        drain(connector("x", sandbox, backfill_days=2), ACME)
        (_, path, _), = sandbox.log
    assert "start_time=2026-10-30T12%3A00%3A00Z" in path


def test_budget_stop_keeps_the_pass_marker_and_the_next_run_resumes_it(small_world):
    with Sandbox(small_world) as sandbox:
        first = drain(connector("x", sandbox, page_size=10), ACME, budget=Budget(max_requests=2))
        assert len(first.pages) == 2 and first.state["pass"]["next_token"]
        assert first.state["since_id"] is None
        second = drain(connector("x", sandbox, page_size=10), ACME, first.state)
        assert "next_token=" in sandbox.log[2][1]
    assert first.ids | second.ids == expected_ids(small_world, ACME)
    assert not first.ids & second.ids
    assert second.state == {"since_id": max(first.ids | second.ids, key=int)}


def test_mention_budget_stops_after_the_page_that_reaches_it(small_world):
    with Sandbox(small_world) as sandbox:
        run = drain(connector("x", sandbox, page_size=10), ACME, budget=Budget(max_mentions=15))
    assert len(run.pages) == 2 and "pass" in run.state


def test_rate_limit_wait_mode_sleeps_until_reset_and_goes_on(small_world):
    faults = Faults.parse("rate_limit:nth=2:reset=30")
    with Sandbox(small_world, faults) as sandbox:
        x = connector("x", sandbox, page_size=10, clock=None)
        run = drain(x, ACME, EVERYTHING)
    assert run.ids == expected_ids(small_world, ACME)
    assert len(x.sleep) == 1 and 25 <= x.sleep[0] <= 32
    assert sum(page.requests for page in run.pages) == len(run.pages) + 1


def test_rate_limit_longer_than_max_wait_stops_the_run(small_world):
    faults = Faults.parse("rate_limit:nth=2:reset=3600")
    with Sandbox(small_world, faults) as sandbox:
        x = connector("x", sandbox, page_size=10, clock=None, max_wait_seconds=60)
        run = drain_until_error(x, RateLimited, EVERYTHING)
    assert x.sleep == [] and len(run.pages) == 1


def drain_until_error(x, error_type, state=None):
    from tests.connectors.helpers import Run

    run = Run(state=state)
    with pytest.raises(error_type) as caught:
        drain(x, ACME, state, run=run)
    run.error = caught.value
    return run


def test_rate_limit_stop_mode_raises_and_the_next_run_resumes(small_world):
    faults = Faults.parse("rate_limit:nth=3:reset=600")
    with Sandbox(small_world, faults) as sandbox:
        x = connector("x", sandbox, page_size=10, on_rate_limit="stop", clock=None)
        first = drain_until_error(x, RateLimited, EVERYTHING)
        assert first.error.reset_at > datetime.now(UTC) + timedelta(seconds=60)
        assert len(first.pages) == 2 and first.state["pass"]["next_token"]
        second = drain(connector("x", sandbox, page_size=10, clock=None), ACME, first.state)
    assert x.sleep == []
    assert first.ids | second.ids == expected_ids(small_world, ACME)


def test_server_errors_are_retried_with_backoff(small_world):
    with Sandbox(small_world, Faults.parse("server_error:nth=1:count=2")) as sandbox:
        x = connector("x", sandbox, page_size=10)
        run = drain(x, ACME)
        assert [status for *_, status in sandbox.log[:3]] == [503, 503, 200]
    assert run.ids == expected_ids(small_world, ACME)
    assert len(x.sleep) >= 1  # jittered backoff between attempts, injected: no real sleep


def test_persistent_server_errors_end_the_run_as_retriable(small_world):
    with Sandbox(small_world, Faults.parse("server_error:nth=1:count=50")) as sandbox, \
            pytest.raises(RetriableError, match="503"):
        drain(connector("x", sandbox, retries=2), ACME)


def test_bad_credentials_name_the_config_key(small_world):
    with Sandbox(small_world, credentials={"x": {"bearer_token": "rotated"}}) as sandbox, \
            pytest.raises(CredentialsError) as caught:
        drain(connector("x", sandbox), ACME)
    assert caught.value.config_key == "connectors.x.bearer_token"
    assert "connectors.x.bearer_token" in str(caught.value)
    assert "sandbox-bearer-token" not in str(caught.value)


def test_malformed_items_are_skipped_and_counted(small_world):
    with Sandbox(small_world, Faults.parse("bad_items:nth=1")) as sandbox:
        run = drain(connector("x", sandbox, page_size=10), ACME)
    assert run.pages[0].skipped == 2 and len(run.pages[0].mentions) == 8
    assert len(run.ids) + run.skipped == len(expected_ids(small_world, ACME))


@pytest.mark.parametrize("fault", ["truncated", "malformed"])
def test_a_broken_json_body_is_retriable(small_world, fault):
    with Sandbox(small_world, Faults.parse(f"{fault}:nth=2")) as sandbox:
        x = connector("x", sandbox, page_size=10)
        run = drain_until_error(x, RetriableError)
        assert "JSON" in str(run.error)
        resumed = drain(connector("x", sandbox, page_size=10), ACME, run.state)
    assert run.ids | resumed.ids == expected_ids(small_world, ACME)


def test_repeated_and_shuffled_pages_lose_nothing_and_promote_the_newest_id(small_world):
    faults = Faults.parse("repeat:rate=0.5,shuffle:rate=0.5", seed=7)
    with Sandbox(small_world, faults) as sandbox:
        run = drain(connector("x", sandbox, page_size=10), ACME)
    expected = expected_ids(small_world, ACME)
    assert len(run.mentions) > len(run.ids) == len(expected)  # duplicates across pages, absorbed by upsert
    assert run.state == {"since_id": max(expected, key=int)}


def test_empty_results_leave_no_bookmark(small_world):
    with Sandbox(small_world) as sandbox:
        run = drain(connector("x", sandbox), Search("topic:none", "none", "zzzunmatched"))
    assert run.mentions == [] and run.state == {"since_id": None}


def test_a_query_too_long_for_x_is_a_clear_fatal_error():
    x = connector("x", None, bearer_token="t")
    long_query = " OR ".join(f"word{i}" for i in range(100))
    with pytest.raises(FatalError, match="max_query_length"):
        list(x.fetch(Search("topic:long", "long", long_query), None, Budget()))


def test_secrets_stay_out_of_reprs():
    x = connector("x", None, bearer_token="very-secret")
    assert "very-secret" not in repr(x.settings) and "very-secret" not in x.settings.model_dump_json()


# ------------------------------------------------------------------ recorded payloads

def test_recorded_tweepy_page_without_created_at_is_skipped_and_counted():
    """tweepy's own cassette: 10 tweets with only id/text, and a next_token."""
    cassette = RECORDED / "tweepy_test_client_search_recent_tweets.yaml"
    x = connector("x", None, bearer_token="recorded")
    with vcr.use_cassette(str(cassette), record_mode="none", decode_compressed_response=True,
                          match_on=["method", "scheme", "host", "port", "path"]) as played:
        run = drain(x, Search("topic:tweepy", "tweepy", "Tweepy"), budget=Budget(max_requests=1))
    assert played.play_count == 1
    assert run.mentions == [] and run.skipped == 10
    assert run.state["pass"]["next_token"] and run.state["pass"]["newest_id"]


class _RecordedBody(BaseHTTPRequestHandler):
    body = b""
    paths: list[str] = []

    def do_GET(self):
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_recorded_twarc_page_maps_includes_and_public_metrics():
    page = json.loads((RECORDED / "twarc-csv_two_tweets.jsonl").read_text().splitlines()[0])
    handler = type("Handler", (_RecordedBody,), {"body": json.dumps(page).encode(), "paths": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        x = connector("x", None, bearer_token="t", base_url=f"http://127.0.0.1:{server.server_address[1]}")
        run = drain(x, Search("topic:poiuytrewq", "t", "#POIUYTREWQ"))
    finally:
        server.shutdown()
        server.server_close()
    assert handler.paths[0].startswith("/2/tweets/search/recent?")
    (mention,) = run.mentions
    assert mention.external_id == "1394735776701816833"
    assert (mention.author, mention.author_name, mention.author_followers) == (
        "LachiVeronica", "Veronica Lachi", 0)
    assert (mention.reposts, mention.replies, mention.likes, mention.views) == (1, 0, 0, None)
    assert mention.is_repost and mention.parent_id == "1391677057810288641" and not mention.is_reply
    assert mention.lang == "und" and mention.text == "RT @bibaigna96: #POIUYTREWQ"
    assert mention.url == "https://x.com/LachiVeronica/status/1394735776701816833"
    assert mention.created_at == datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)
    assert run.state == {"since_id": "1394735776701816833"}


def test_demo_topics_are_valid_x_queries():
    for topic in DEMO_TOPICS:
        assert len(x_query(render("x", topic.query), exclude_retweets=True, languages=["en", "fr"])) < 512
    assert XConnector.sorted is False and XConnector.cursor_field == "since_id"
