"""A tiny loopback HTTP server answering recorded bodies, for the free-source connector tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[str, str, dict[str, str]], Answer]  # (method, path?query, headers) -> Answer


@contextmanager
def serve(handler: Handler) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """``with serve(handler) as (url, requests):`` a server on 127.0.0.1 for the block."""
    seen: list[tuple[str, str]] = []

    class Server(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen.append((self.command, self.path))
            answer = handler(self.command, self.path, dict(self.headers.items()))
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json", **answer.headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = _any

        def log_message(self, *args: object) -> None:
            pass

    with running(Server) as url:
        yield url, seen


@contextmanager
def running(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``with running(HandlerClass) as url:`` a threaded server on 127.0.0.1 for the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
