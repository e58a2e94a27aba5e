"""The sandbox HTTP server: one ``ThreadingHTTPServer`` on loopback for every platform.

    with Sandbox(generate_world(), faults=Faults.parse("rate_limit:nth=2")) as sandbox:
        settings = sandbox.connector_settings("x")   # {"base_url": sandbox.url, "bearer_token": …}

Plugging in a platform
----------------------
``PLATFORM_MODULES`` below is the one list of platform modules (imported by
name, so they may import this module for :class:`Call` / :class:`Reply` /
:class:`Route`). A platform module exposes:

``NAME``
    the connector it serves (a key of ``connectors.REGISTRY``).
``ROUTES``
    a tuple of :class:`Route` (method, path regex, handler, faultable). A
    handler takes a :class:`Call` and returns a :class:`Reply`. Paths of all
    platforms share one server, so they must not overlap (X: ``/2/…``,
    Reddit: ``/r/…`` and ``/api/v1/…``).
``CREDENTIALS``
    a dict of the credentials the sandbox accepts (``call.credentials``).
``connector_settings(url) -> dict``
    the ``[connectors.<NAME>]`` settings that point the connector here.
``rate_limit_headers(reset_seconds) -> dict`` (optional)
    the headers of a 429 on this platform.
``break_item(item) -> item`` (optional)
    how to make one item malformed (for the ``bad_items`` fault).

Faults (``faults.py``) are decided once per faultable request. The server
applies ``slow``, ``rate_limit``, ``server_error``, ``truncated`` and
``malformed`` itself; a handler applies the item faults (``repeat``,
``shuffle``, ``bad_items``) by passing its page through :meth:`Call.items`.
"""

from __future__ import annotations

import importlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from listener.sandbox.faults import Fault, Faults
from listener.sandbox.world import World

log = logging.getLogger(__name__)

# The platforms the sandbox serves. Add a module here to plug one in.
PLATFORM_MODULES: tuple[str, ...] = (
    "listener.sandbox.x",
    "listener.sandbox.reddit",
    "listener.sandbox.hackernews",
    "listener.sandbox.rss",
    "listener.sandbox.mastodon",
    "listener.sandbox.bluesky",
)


def load_platforms(names: tuple[str, ...] = PLATFORM_MODULES) -> dict[str, ModuleType]:
    """``{connector name: platform module}`` for the modules that import."""
    modules = {}
    for name in names:
        module = importlib.import_module(name)
        modules[module.NAME] = module
    return modules


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: str  # a regex matched against the whole path
    handler: Callable[[Call], Reply]
    faultable: bool = True  # auth endpoints usually are not


@dataclass(slots=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode()


@dataclass
class Call:
    """One request as a handler sees it."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    match: re.Match[str]
    world: World
    credentials: Mapping[str, Any]
    fired: tuple[Fault, ...]
    number: int  # faultable request number on this platform (0 if not faultable)
    sandbox: Sandbox

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    def has(self, kind: str) -> bool:
        return any(fault.kind == kind for fault in self.fired)

    def items(self, items: list[Any], stream: str, break_item: Callable[[Any], Any] | None = None,
              *, repeat: bool = True) -> list[Any]:
        """Apply the item faults to one page of ``stream`` and remember it for ``repeat``.

        ``repeat=False``: the handler applies ``repeat`` itself (e.g. by serving the
        previous page again, when the client cannot take more items than it asked for).
        """
        previous = self.sandbox.remember(stream, items)
        out = list(items)
        if repeat and self.has("repeat") and previous:
            out = previous + out
        if self.has("shuffle"):
            random.Random(f"{self.sandbox.faults.seed}:shuffle:{self.number}").shuffle(out)
        if self.has("bad_items") and out and break_item is not None:
            rng = random.Random(f"{self.sandbox.faults.seed}:bad:{self.number}")
            chosen = set(rng.sample(range(len(out)), max(1, len(out) // 5)))
            out = [break_item(item) if i in chosen else item for i, item in enumerate(out)]
        return out


class Sandbox:
    """A running sandbox: ``with Sandbox(world) as sandbox: sandbox.url``."""

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        platforms: Mapping[str, ModuleType] | None = None,
        credentials: Mapping[str, Mapping[str, Any]] | None = None,
    ):
        self.world = world
        self.faults = faults or Faults()
        self.platforms = dict(platforms) if platforms is not None else load_platforms()
        self.credentials = {
            name: {**getattr(module, "CREDENTIALS", {}), **(credentials or {}).get(name, {})}
            for name, module in self.platforms.items()
        }
        self._routes = [
            (route.method, re.compile(route.pattern), route, name)
            for name, module in self.platforms.items()
            for route in module.ROUTES
        ]
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._pages: dict[str, list[Any]] = {}
        self.log: list[tuple[str, str, int]] = []  # (method, path?query, status) of every request
        self._server = ThreadingHTTPServer((host, port), _handler_class(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}"

    def connector_settings(self, name: str) -> dict[str, Any]:
        """Settings for ``[connectors.<name>]`` that point the connector at this sandbox."""
        return self.platforms[name].connector_settings(self.url)

    def requests(self, path_prefix: str = "") -> list[tuple[str, str, int]]:
        with self._lock:
            return [entry for entry in self.log if entry[1].startswith(path_prefix)]

    def start(self) -> Sandbox:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals

    def remember(self, stream: str, items: list[Any]) -> list[Any]:
        with self._lock:
            previous = self._pages.get(stream, [])
            self._pages[stream] = list(items)
        return previous

    def _next_number(self, platform: str) -> int:
        with self._lock:
            self._counters[platform] = self._counters.get(platform, 0) + 1
            return self._counters[platform]

    def dispatch(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        for route_method, pattern, route, name in self._routes:
            if route_method != method:
                continue
            match = pattern.fullmatch(path)
            if match is None:
                continue
            number = self._next_number(name) if route.faultable else 0
            fired = tuple(self.faults.decide(number, name)) if route.faultable else ()
            return self._answer(route, name, Call(
                method, path, parse_qs(parts.query, keep_blank_values=True), headers, body, match,
                self.world, self.credentials[name], fired, number, self,
            ))
        return Reply(404, {"error": "not found", "path": path})

    def _answer(self, route: Route, name: str, call: Call) -> Reply:
        delay = self.faults.latency + sum(f.latency for f in call.fired if f.kind == "slow")
        if delay > 0:
            time.sleep(delay)
        module = self.platforms[name]
        for fault in call.fired:
            if fault.kind == "rate_limit":
                headers_of = getattr(module, "rate_limit_headers", None)
                headers = headers_of(fault.reset) if headers_of else {"retry-after": str(int(fault.reset))}
                return Reply(429, {"title": "Too Many Requests", "status": 429}, headers)
            if fault.kind == "server_error":
                return Reply(fault.status, {"title": "Service Unavailable", "status": fault.status})
        reply = route.handler(call)
        if reply.status == 200 and call.has("truncated"):
            payload = reply.payload()
            reply = Reply(200, payload[: max(1, len(payload) // 2)], reply.headers, reply.content_type)
        elif reply.status == 200 and call.has("malformed"):
            reply = Reply(200, b"<html><body>upstream proxy error</body></html>", reply.headers,
                          reply.content_type)
        return reply


def _handler_class(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "listener-sandbox/1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                reply = sandbox.dispatch(self.command, self.path, dict(self.headers.items()), body)
            except Exception as error:  # a sandbox bug answers 500 and is logged, like a real server
                log.exception("sandbox handler failed")
                reply = Reply(500, {"error": f"sandbox bug: {type(error).__name__}"})
            payload = reply.payload()
            with sandbox._lock:
                sandbox.log.append((self.command, self.path, reply.status))
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sandbox: " + format, *args)

    return Handler
