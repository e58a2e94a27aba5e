"""Bluesky connector: the atproto SDK against the sandbox XRPC and the recorded postView."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import Budget, Search
from connectors.bluesky import BlueskyConnector, BlueskySettings
from connectors.errors import CredentialsError, RateLimited
from listener.sandbox import Faults, Sandbox, generate_world
from tests.connectors import helpers
from tests.connectors.helpers import opened, topic_searches
from tests.connectors.helpers import pages_and_state as drain
from tests.connectors.loopback import Answer, serve

RECORDED = helpers.RECORDED / "bluesky" / "atproto-sdk_thread_view_post_with_embed_media.json"
END = datetime(2026, 11, 1, 12, tzinfo=UTC)
WORLD = generate_world(start=END - timedelta(days=5), end=END, seed=7, per_day=30, platforms=("bluesky",))
TOPICS = topic_searches("bluesky")


def make(**settings) -> BlueskyConnector:
    connector = BlueskyConnector(BlueskySettings(page_size=10, **settings), clock=lambda: END)
    return opened(connector)




def test_search_collects_every_post_and_promotes_since_at_the_end_of_the_pass():
    with Sandbox(WORLD) as sandbox:
        connector = make(**sandbox.connector_settings("bluesky"))
        ids = set()
        for search in connector.searches(TOPICS):
            pages, state = drain(connector, search)
            ids |= {m.external_id for p in pages for m in p.mentions}
            assert all("pass" in p.state for p in pages[:-1]) and "pass" not in state
    assert len(ids) == len(WORLD.for_platform("bluesky"))
    mention = next(iter(pages[0].mentions))
    assert mention.url.startswith("https://bsky.app/profile/") and mention.lang


def test_budget_stop_resumes_the_pass_from_its_cursor():
    with Sandbox(WORLD) as sandbox:
        connector = make(**sandbox.connector_settings("bluesky"))
        search = Search("k", query="coffee")
        first, state = drain(connector, search, budget=Budget(max_requests=1))
        assert state["pass"]["cursor"] == "10"
        rest, _ = drain(connector, search, state)
        whole, _ = drain(connector, search)
    assert {m.external_id for p in first + rest for m in p.mentions} == {
        m.external_id for p in whole for m in p.mentions}


def test_without_app_password_the_error_explains_and_names_the_key():
    with pytest.raises(CredentialsError, match="unauthenticated") as raised:
        drain(make(base_url="http://127.0.0.1:9"), Search("k", query="coffee"))
    assert raised.value.config_key == "connectors.bluesky.app_password"


def test_wrong_app_password_is_a_credentials_error():
    with Sandbox(WORLD) as sandbox, pytest.raises(CredentialsError):
        settings = {**sandbox.connector_settings("bluesky"), "app_password": "nope"}
        drain(make(**settings), Search("k", query="coffee"))


def test_rate_limit_carries_reset_time():
    with Sandbox(WORLD, Faults.parse("rate_limit:nth=1:reset=60")) as sandbox, \
            pytest.raises(RateLimited) as raised:
        drain(make(**sandbox.connector_settings("bluesky")), Search("k", query="coffee"))
    assert raised.value.reset_at > datetime.now(UTC)


def test_malformed_posts_are_skipped_and_counted():
    with Sandbox(WORLD, Faults.parse("bad_items:nth=1")) as sandbox:
        pages, _ = drain(make(**sandbox.connector_settings("bluesky")), Search("k", query="coffee"))
    assert pages[0].skipped >= 1 and pages[0].mentions


def test_recorded_post_view_served_as_search_result():
    post = json.loads(RECORDED.read_text())["thread"]["post"]

    def answer(method, path, headers):
        if "createSession" in path:
            from listener.sandbox.bluesky import jwt
            return Answer(200, json.dumps({"accessJwt": jwt("a"), "refreshJwt": jwt("r"),
                                           "handle": "me.test", "did": "did:plc:me"}).encode())
        return Answer(200, json.dumps({"posts": [post], "cursor": "25"}).encode()
                      if "cursor" not in path else b'{"posts": []}')

    with serve(answer) as (url, _):
        pages, state = drain(make(base_url=url, handle="me.test", app_password="x"),
                             Search("k", query="python"))
    (mention,) = [m for p in pages for m in p.mentions]
    assert mention.author == "test.marshal.dev" and mention.lang == "en"
    assert mention.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert state["since"] >= "2023-09-28"
