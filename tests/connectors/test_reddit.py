"""The Reddit connector: real praw code against the sandbox and against recorded payloads."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import vcr

from connectors.base import Budget, Search
from connectors.errors import CredentialsError, RateLimited, RetriableError
from connectors.reddit import RedditConnector
from listener.platform_queries import render
from listener.query import parse
from listener.sandbox import Faults, Sandbox, World
from listener.sandbox.reddit import fullname, is_submission
from tests.connectors import helpers
from tests.connectors.helpers import (
    Run,
    connector,
    drain,
    topic_query,
    topic_searches,
    world,
)

RECORDED = helpers.RECORDED / "reddit"
ACME = topic_searches("reddit")[0]


@pytest.fixture(scope="module")
def small_world() -> World:
    return world()


def expected(w: World, search: Search) -> set[str]:
    query = parse(topic_query(search.topic))
    return {fullname(p) for p in w.for_platform("reddit")
            if is_submission(p) and query.matches(f"{p.title or ''}\n{p.text}")}


def comment_ids(w: World, subreddit: str) -> set[str]:
    return {fullname(p) for p in w.for_platform("reddit") if not is_submission(p) and p.subreddit == subreddit}


def until_error(instance, error_type, search=ACME, state=None) -> Run:
    run = Run(state=state)
    with pytest.raises(error_type) as caught:
        drain(instance, search, state, run=run)
    run.error = caught.value
    return run


@pytest.mark.parametrize(("query", "translated"), [
    ('"acme coffee" OR @acmecoffee OR #acmecoffee', '"acme coffee" OR acmecoffee'),
    ("beanly OR @beanly", "beanly"),
    ("acme -job", "acme AND NOT job"),
    ("(acme OR beanly) coffee", "(acme OR beanly) AND coffee"),
])
def test_topic_query_is_translated_to_reddit_syntax(query, translated):
    assert render("reddit", query) == translated


def test_search_walks_back_page_by_page_and_promotes_at_the_end(small_world):
    with Sandbox(small_world) as sandbox:
        run = drain(connector("reddit", sandbox, page_size=5), ACME)
        assert all("sort=new" in path for _, path, _ in sandbox.requests("/r/"))
    want = expected(small_world, ACME)
    assert len(run.pages) >= 3 and run.ids == want and len(run.mentions) == len(want)
    for page in run.pages[:-1]:
        assert page.state["last_created"] is None and page.state["pass"]["after"]
    newest = max((m for m in run.mentions), key=lambda m: m.created_at)
    assert run.state == {"last_created": newest.created_at.timestamp(), "last_ids": [newest.external_id]}


def test_mentions_are_submissions_with_title_text_and_permalink(small_world):
    with Sandbox(small_world) as sandbox:
        run = drain(connector("reddit", sandbox), ACME)
    by_name = {fullname(p): p for p in small_world.for_platform("reddit")}
    for mention in run.mentions:
        post = by_name[mention.external_id]
        assert mention.text.startswith(mention.title) and post.text.endswith(mention.text.split("\n\n")[-1])
        assert mention.author == post.author and mention.author_id == post.author_id
        assert mention.url.startswith(f"https://www.reddit.com/r/{post.subreddit}/comments/")
        assert mention.likes == post.likes and mention.replies == post.replies
        assert not mention.is_reply and mention.raw["name"] == mention.external_id
        json.dumps(mention.raw)


def test_rerun_stops_at_the_last_seen_item(small_world):
    cut = small_world.posts[len(small_world.posts) // 2].created_at
    early = World([p for p in small_world.posts if p.created_at < cut], small_world.topics,
                  small_world.start, small_world.end, small_world.seed)
    with Sandbox(early) as sandbox:
        first = drain(connector("reddit", sandbox, page_size=5), ACME)
    with Sandbox(small_world) as sandbox:
        second = drain(connector("reddit", sandbox, page_size=5), ACME, first.state)
        searches = len(sandbox.requests("/r/"))
        third = drain(connector("reddit", sandbox, page_size=5), ACME, second.state)
    assert first.ids and second.ids and not first.ids & second.ids
    assert first.ids | second.ids == expected(small_world, ACME)
    assert searches == -(-len(second.ids) // 5) + (len(second.ids) % 5 == 0)  # no walk past the bookmark
    assert third.ids == set() and third.state == second.state


def test_budget_stop_then_resume_stores_the_same_set(small_world):
    with Sandbox(small_world) as sandbox:
        first = drain(connector("reddit", sandbox, page_size=5), ACME, budget=Budget(max_requests=2))
        assert len(first.pages) == 2 and first.state["pass"]["after"]
        second = drain(connector("reddit", sandbox, page_size=5), ACME, first.state)
    assert first.ids | second.ids == expected(small_world, ACME) and not first.ids & second.ids
    assert "pass" not in second.state


def test_comment_streams_read_configured_subreddits(small_world):
    with Sandbox(small_world) as sandbox:
        reddit = connector("reddit", sandbox, subreddits=["coffee"], page_size=10)
        searches = reddit.searches(topic_searches("reddit"))
        assert [s.key for s in searches][-1] == "comments:r/coffee"
        run = drain(reddit, searches[-1])
    assert run.ids == comment_ids(small_world, "coffee") != set()
    assert all(m.is_reply and m.parent_id.startswith("t3_") and m.title is None for m in run.mentions)


def test_rate_limit_wait_mode_sleeps_retry_after(small_world):
    with Sandbox(small_world, Faults.parse("rate_limit:nth=2:reset=20")) as sandbox:
        reddit = connector("reddit", sandbox, page_size=5, clock=None)
        run = drain(reddit, ACME, {"last_created": 0.0})
    assert run.ids == expected(small_world, ACME)
    assert len(reddit.sleep) == 1 and 19 <= reddit.sleep[0] <= 22


def test_rate_limit_stop_mode_raises_then_resumes(small_world):
    with Sandbox(small_world, Faults.parse("rate_limit:nth=2")) as sandbox:
        reddit = connector("reddit", sandbox, page_size=5, on_rate_limit="stop", clock=None)
        first = until_error(reddit, RateLimited, state={"last_created": 0.0})
        assert first.error.reset_at is not None and len(first.pages) == 1
        second = drain(connector("reddit", sandbox, page_size=5, clock=None), ACME, first.state)
    assert reddit.sleep == []
    assert first.ids | second.ids == expected(small_world, ACME)


def test_server_errors_are_retried_then_reported_as_retriable(small_world):
    with Sandbox(small_world, Faults.parse("server_error:nth=2:count=2")) as sandbox:
        reddit = connector("reddit", sandbox, page_size=5)
        assert drain(reddit, ACME).ids == expected(small_world, ACME)
    with Sandbox(small_world, Faults.parse("server_error:nth=1:count=50")) as sandbox:
        until_error(connector("reddit", sandbox, retries=1), RetriableError)


def test_bad_credentials_name_the_config_key(small_world):
    with Sandbox(small_world, credentials={"reddit": {"client_secret": "rotated"}}) as sandbox:
        run = until_error(connector("reddit", sandbox), CredentialsError)
    assert run.error.config_key == "connectors.reddit.client_secret"
    assert "connectors.reddit.client_secret" in str(run.error)
    assert "sandbox-client-secret" not in str(run.error)


def test_malformed_items_are_skipped_and_counted(small_world):
    with Sandbox(small_world, Faults.parse("bad_items:nth=1")) as sandbox:
        run = drain(connector("reddit", sandbox, page_size=10), ACME)
    assert run.pages[0].skipped == 2
    assert len(run.ids) + run.skipped == len(expected(small_world, ACME))


@pytest.mark.parametrize("fault", ["truncated", "malformed"])
def test_a_broken_json_body_is_retriable(small_world, fault):
    with Sandbox(small_world, Faults.parse(f"{fault}:nth=2")) as sandbox:
        run = until_error(connector("reddit", sandbox, page_size=5), RetriableError)
        assert "JSON" in str(run.error)
        resumed = drain(connector("reddit", sandbox, page_size=5), ACME, run.state)
    assert run.ids | resumed.ids == expected(small_world, ACME)


def test_repeated_and_shuffled_pages_lose_nothing_once_resumed(small_world, monkeypatch):
    """A repeated page (same items, same ``after``) that stays stale stops the pass; the next run resumes it."""
    monkeypatch.setattr("connectors.reddit.STALE_REREADS", 0)  # stale every time it is read again
    found, state, runs = set(), None, 0
    with Sandbox(small_world, Faults.parse("repeat:rate=0.3,shuffle:rate=0.5", seed=5)) as sandbox:
        for runs in range(1, 20):  # noqa: B007
            run = Run(state=state)
            try:
                drain(connector("reddit", sandbox, page_size=5), ACME, state, run=run)
            except RetriableError as error:
                assert "twice" in str(error)
            found |= run.ids
            state = run.state
            if "pass" not in (state or {"pass": 1}):
                break
    assert runs > 1 and found == expected(small_world, ACME)


def test_empty_results(small_world):
    with Sandbox(small_world) as sandbox:
        run = drain(connector("reddit", sandbox), Search("topic:none", "none", "zzzunmatched"))
    assert run.mentions == [] and run.state == {"last_created": None, "last_ids": []}


# ------------------------------------------------------------------ recorded payloads

def _praw_vcr() -> vcr.VCR:
    return vcr.VCR(serializer="json", record_mode="none",
                   match_on=["method", "scheme", "host", "port", "path"])


def test_recorded_search_listing_maps_submissions():
    reddit = connector("reddit", None, client_id="id", client_secret="secret", backfill_days=3650,
                       clock=datetime(2016, 7, 13, tzinfo=UTC))
    with _praw_vcr().use_cassette(str(RECORDED / "praw_TestSubreddit.test_search.json")) as played:
        run = drain(reddit, Search("topic:praw", "praw", '"praw oauth search"'))
    assert played.play_count == 2  # the token, then one page
    assert len(run.ids) == 6 and run.skipped == 0
    for mention in run.mentions:
        assert mention.external_id.startswith("t3_") and mention.url.startswith("https://www.reddit.com/r/")
        assert mention.title and mention.text.startswith(mention.title) and mention.author
    assert "pass" not in run.state


def test_recorded_comment_stream_maps_comments():
    reddit = connector("reddit", None, client_id="id", client_secret="secret", backfill_days=3650,
                       subreddits=["kakapo"], clock=datetime(2017, 4, 18, tzinfo=UTC))
    with _praw_vcr().use_cassette(
            str(RECORDED / "praw_TestSubredditStreams.test_comments__with_pause.json"),
            allow_playback_repeats=True):
        run = drain(reddit, Search("comments:r/kakapo"))
    assert len(run.ids) >= 16 and all(m.is_reply and m.external_id.startswith("t1_") for m in run.mentions)
    newest = max(m.created_at.timestamp() for m in run.mentions)
    assert run.state["last_created"] == newest


class _Betamax(BaseHTTPRequestHandler):
    """Serves prawcore's betamax 429 recording: the token, then 429 for everything."""

    interactions: list = []
    protocol_version = "HTTP/1.1"

    def _reply(self, recorded):
        response = recorded["response"]
        body = response["body"]
        payload = base64.b64decode(body["base64_string"]) if body.get("base64_string") else body["string"].encode()
        self.send_response(response["status"]["code"])
        for key, values in response["headers"].items():
            if key.lower() not in ("content-length", "connection", "set-cookie", "transfer-encoding"):
                self.send_header(key, values[0])
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply(self.interactions[0])

    def do_GET(self):
        self._reply(self.interactions[1])

    def log_message(self, *args):
        pass


@pytest.fixture
def betamax_429():
    data = json.loads((RECORDED / "prawcore_TestSession.test_request__too__many_requests__with_retry_headers.json")
                      .read_text())
    handler = type("Handler", (_Betamax,), {"interactions": data["http_interactions"]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_recorded_429_with_retry_after_stops_in_stop_mode(betamax_429):
    reddit = connector("reddit", None, client_id="id", client_secret="s", base_url=betamax_429,
                       on_rate_limit="stop", clock=None)
    run = until_error(reddit, RateLimited)
    assert 3 <= (run.error.reset_at - datetime.now(UTC)).total_seconds() <= 4
    assert reddit.sleep == []


def test_recorded_429_in_wait_mode_waits_then_gives_up_for_this_run(betamax_429):
    reddit = connector("reddit", None, client_id="id", client_secret="s", base_url=betamax_429, clock=None)
    until_error(reddit, RetriableError)
    assert len(reddit.sleep) == 5 and all(4 <= seconds <= 5.5 for seconds in reddit.sleep)


def test_class_contract_attributes():
    assert RedditConnector.sorted is False and RedditConnector.secrets == ("client_secret",)
