"""The simulated platform: its world, its faults, its server and its command."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from listener.query import parse
from listener.sandbox import DEMO_TOPICS, Fault, Faults, Sandbox, generate_world

END = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world():
    return generate_world(start=END - timedelta(days=10), end=END, seed=2)


def test_the_world_is_deterministic_for_a_seed(world):
    again = generate_world(start=END - timedelta(days=10), end=END, seed=2)
    other = generate_world(start=END - timedelta(days=10), end=END, seed=3)
    assert [(p.id, p.text, p.author) for p in again.posts] == [(p.id, p.text, p.author) for p in world.posts]
    assert [p.text for p in other.posts] != [p.text for p in world.posts]


def test_the_world_looks_like_social_media(world):
    posts = world.posts
    assert all(END - timedelta(days=10) <= p.created_at <= END for p in posts)
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
    langs = Counter(p.lang for p in posts)
    assert langs["en"] > langs["fr"] > 0 and langs["es"] > 0 and langs["de"] > 0
    assert {p.platform for p in posts} == {"x", "reddit"}
    authors = Counter(p.author for p in posts)
    assert authors.most_common(1)[0][1] >= 5  # authors post more than once
    followers = sorted(p.followers for p in posts)
    assert followers[-1] > 10 * followers[len(followers) // 2]  # heavy tail
    copies = Counter(p.text for p in posts if not p.is_repost)
    reposts_or_copies = sum(p.is_repost for p in posts) + sum(n - 1 for n in copies.values())
    assert 0.2 < reposts_or_copies / len(posts) < 0.7 and sum(p.is_repost for p in posts) > 0.1 * len(posts)
    assert {p.sentiment for p in posts} >= {"positive", "negative", "neutral", "question"}


def test_every_post_matches_the_topic_it_is_about(world):
    queries = {t.name: parse(t.query) for t in DEMO_TOPICS}
    assert all(queries[p.topic].matches(p.text) for p in world.posts)
    assert {p.topic for p in world.posts} == set(queries)


def test_one_brand_has_a_bad_day(world):
    negative_days = Counter(p.created_at.date() for p in world.posts
                            if p.topic == "Acme Coffee" and p.sentiment == "negative")
    counts = sorted(negative_days.values())
    assert counts[-1] >= 3 * counts[len(counts) // 2]


def test_faults_parse_and_fire_deterministically():
    faults = Faults.parse("rate_limit:nth=2,server_error:rate=0.5:status=502,slow:nth=1:count=3:latency=0.2",
                          seed=1)
    assert faults.faults[0] == Fault("rate_limit", nth=2)
    assert "rate_limit" in [f.kind for f in faults.decide(2, "x")]
    assert "rate_limit" not in [f.kind for f in faults.decide(3, "x")]
    assert [faults.decide(n, "x") for n in range(1, 50)] == [faults.decide(n, "x") for n in range(1, 50)]
    assert 10 < sum(any(f.kind == "server_error" for f in faults.decide(n, "x")) for n in range(1, 100)) < 90
    with pytest.raises(ValueError, match="unknown fault"):
        Faults.parse("explode:nth=1")
    with pytest.raises(ValueError, match="needs nth"):
        Faults.parse("slow")


def _get(url: str, headers: dict | None = None):
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_server_answers_x_with_bearer_auth_and_unknown_paths_with_404(world):
    with Sandbox(world) as sandbox:
        assert sandbox.url.startswith("http://127.0.0.1:")
        status, _, _ = _get(sandbox.url + "/2/tweets/search/recent?query=beanly")
        assert status == 401
        token = {"Authorization": "Bearer " + sandbox.connector_settings("x")["bearer_token"]}
        status, _, body = _get(sandbox.url + "/2/tweets/search/recent?query=beanly&max_results=10", token)
        page = json.loads(body)
        assert status == 200 and len(page["data"]) == 10 and page["meta"]["next_token"]
        assert _get(sandbox.url + "/nothing/here")[0] == 404


@pytest.mark.real_sleep
def test_server_injects_rate_limits_and_latency(world):
    faults = Faults.parse("rate_limit:nth=1:reset=60", latency=0.05)
    with Sandbox(world, faults) as sandbox:
        token = {"Authorization": "Bearer " + sandbox.connector_settings("x")["bearer_token"]}
        status, headers, _ = _get(sandbox.url + "/2/tweets/search/recent?query=beanly", token)
        assert status == 429 and int(headers["x-rate-limit-reset"]) > datetime.now(UTC).timestamp() + 50
        assert _get(sandbox.url + "/2/tweets/search/recent?query=beanly", token)[0] == 200


def test_sandbox_command_is_registered_with_help():
    from typer.testing import CliRunner

    from listener.cli import app

    result = CliRunner().invoke(app, ["sandbox", "--help"])
    assert result.exit_code == 0 and "--faults" in result.output and "--port" in result.output
    bad = CliRunner().invoke(app, ["sandbox", "--faults", "explode:nth=1", "--port", "0"])
    assert bad.exit_code == 2 and "unknown fault" in bad.output
