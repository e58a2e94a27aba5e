"""A hostile HTTP server on loopback: an endless body, a gzip bomb, a one-byte drip."""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from tests.connectors.loopback import running

MB = 1024 * 1024


def gzip_bomb(decoded_mb: int) -> bytes:
    """``decoded_mb`` MB of zeros as gzip: one 1 MB member repeated (a valid multi-member stream)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    member = packer.compress(bytes(MB)) + packer.flush()
    return member * decoded_mb


BOMB = gzip_bomb(1024)  # 1 GB once inflated, about 1 MB on the wire


@contextmanager
def hostile(mode: str, *, drip_every: float = 0.05) -> Iterator[str]:
    """``with hostile("endless" | "bomb" | "drip" | "drip_headers") as url:`` for the block."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, rightly
                getattr(self, f"_{mode}")()

        def _endless(self) -> None:
            self._headers({"Connection": "close"})  # no length: the body ends when we close
            chunk = b"[" + b" " * (64 * 1024 - 1)
            while not stop.is_set():
                self.wfile.write(chunk)

        def _bomb(self) -> None:
            self._headers({"Content-Encoding": "gzip", "Content-Length": str(len(BOMB))})
            self.wfile.write(BOMB)

        def _drip(self) -> None:
            self._headers({"Content-Length": "100000"})
            while not stop.is_set():
                self.wfile.write(b" ")
                self.wfile.flush()
                stop.wait(drip_every)

        def _drip_headers(self) -> None:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100000:
                if stop.is_set():
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                stop.wait(drip_every)

        def _headers(self, extra: dict[str, str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()

        do_GET = do_POST = _any

        def log_message(self, *args: object) -> None:
            pass

    try:
        with running(Handler) as url:
            yield url
    finally:
        stop.set()
