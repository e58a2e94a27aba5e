"""connectors.http: retrying sessions, host redirection, rate-limit headers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors import http
from connectors.errors import RateLimited
from tests.connectors.helpers import Sleeps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


class _Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next (status, headers) of ``script``, then 200."""

    protocol_version = "HTTP/1.1"
    script: list = []
    seen: list = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Host")))
        status, headers = self.script.pop(0) if self.script else (200, {})
        body = b'{"ok": true}'
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def scripted():
    handler = type("Handler", (_Scripted,), {"script": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield handler
    server.shutdown()
    server.server_close()


def test_session_retries_5xx_and_429_honouring_retry_after_without_real_sleep(scripted):
    scripted.script += [(503, {}), (429, {"Retry-After": "7"}), (502, {})]
    sleeps = Sleeps()
    response = http.session(sleep=sleeps).get(scripted.url + "/x")
    assert response.status_code == 200 and len(scripted.seen) == 4
    assert 7 in sleeps  # Retry-After honoured
    assert all(0 <= s <= 7 for s in sleeps)


def test_session_hands_back_the_last_response_when_retries_run_out(scripted):
    scripted.script += [(503, {})] * 5
    response = http.session(retry=http.retry_policy(retries=2, sleep=Sleeps())).get(scripted.url)
    assert response.status_code == 503 and len(scripted.seen) == 3


def test_a_policy_without_429_lets_the_connector_see_it_even_with_retry_after(scripted):
    scripted.script += [(429, {"Retry-After": "3"})]
    policy = http.retry_policy(statuses=http.RETRY_STATUSES - {429}, sleep=Sleeps())
    assert http.session(retry=policy).get(scripted.url).status_code == 429


def test_backoff_is_jittered():
    policy = http.retry_policy(backoff_factor=1, backoff_jitter=1)
    for _ in range(3):
        policy = policy.increment(method="GET", url="/")
    times = {policy.get_backoff_time() for _ in range(20)}
    assert len(times) > 1 and all(4 <= t <= 5 for t in times)


def test_redirect_adapter_sends_a_hard_coded_host_to_the_base_url(scripted):
    session = http.session()
    http.mount_redirect(session, "https://api.example.com", scripted.url + "/prefix")
    response = session.get("https://api.example.com/2/tweets?q=a%20b")
    assert response.status_code == 200
    path, host = scripted.seen[0]
    assert path == "/prefix/2/tweets?q=a%20b" and host == scripted.url.removeprefix("http://")


@pytest.mark.parametrize(("headers", "expected"), [
    ({"x-rate-limit-reset": str(int((NOW + timedelta(minutes=15)).timestamp()))}, NOW + timedelta(minutes=15)),
    ({"X-Ratelimit-Reset": "120"}, NOW + timedelta(seconds=120)),
    ({"retry-after": "30"}, NOW + timedelta(seconds=30)),
    ({"Retry-After": "Sun, 01 Nov 2026 12:05:00 GMT"}, NOW + timedelta(minutes=5)),
    ({"x-ratelimit-reset": "2026-11-01T12:10:00Z"}, NOW + timedelta(minutes=10)),
    ({}, None),
    ({"retry-after": "soon"}, None),
])
def test_reset_at_reads_every_spelling(headers, expected):
    assert http.reset_at(headers, now=NOW) == expected


def test_on_rate_limit_waits_or_stops():
    sleeps = Sleeps()
    http.on_rate_limit("X", NOW + timedelta(seconds=10), mode="wait", max_wait_seconds=60, sleep=sleeps, now=NOW)
    assert sleeps == [11.0]
    with pytest.raises(RateLimited, match="max_wait_seconds"):
        http.on_rate_limit("X", NOW + timedelta(hours=1), mode="wait", max_wait_seconds=60, sleep=sleeps, now=NOW)
    with pytest.raises(RateLimited) as caught:
        http.on_rate_limit("X", NOW + timedelta(seconds=10), mode="stop", max_wait_seconds=60, sleep=sleeps, now=NOW)
    assert caught.value.reset_at == NOW + timedelta(seconds=10) and sleeps == [11.0]
