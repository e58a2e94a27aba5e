"""The bounds of :mod:`connectors.limits` for clients built on httpx (the Bluesky SDK).

An httpx transport that reads each body itself, a chunk at a time as it
arrives: it stops at ``max_response_bytes`` received or decompressed, and at
the request's (or run's) time, and hands httpx the decoded body.
"""

from __future__ import annotations

import time
from typing import cast

import httpx

from connectors.limits import Decoder, Limits

_DECODED = ("content-encoding", "content-length", "transfer-encoding")


class BoundedTransport(httpx.BaseTransport):
    def __init__(self, limits: Limits, inner: httpx.BaseTransport | None = None):
        self.limits = limits
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        seconds, setting = self.limits.seconds_left()
        if seconds <= 0:
            raise self.limits.too_slow(url, setting)
        deadline = time.monotonic() + seconds
        # each socket read waits at most what is left (a drip is caught between reads below)
        request.extensions["timeout"] = {
            key: seconds if value is None else min(value, seconds)
            for key, value in request.extensions.get("timeout", dict.fromkeys(
                ("connect", "read", "write", "pool"))).items()
        }
        response = self.inner.handle_request(request)
        try:
            body = self._read(response, url, deadline, setting)
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DECODED]
        return httpx.Response(response.status_code, headers=headers, content=body,
                              extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
                              request=request)

    def _read(self, response: httpx.Response, url: str, deadline: float, setting: str) -> bytes:
        try:
            decoder = Decoder(response.headers.get("content-encoding", ""), self.limits.max_response_bytes)
        except ValueError as error:
            raise httpx.DecodingError(str(error), request=response.request) from None
        parts, received = [], 0
        for data in cast(httpx.SyncByteStream, response.stream):  # raw bytes, as they arrive (sync client)
            if time.monotonic() > deadline:
                raise self.limits.too_slow(url, setting)
            received += len(data)
            if received > self.limits.max_response_bytes:
                raise self.limits.too_large(url, "as received")
            decoded = decoder.feed(data)
            if decoded is None:
                raise self.limits.too_large(url, "once decompressed")
            parts.append(decoded)
        return b"".join(parts)

    def close(self) -> None:
        self.inner.close()
