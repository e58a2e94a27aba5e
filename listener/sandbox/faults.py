"""Faults the sandbox injects on demand, deterministically.

A fault fires on "the Nth request" (``nth=3``, 1-based, counted per server over
the requests a platform marks as faultable), on every request from the Nth on
for ``count`` requests, or at a ``rate`` (0..1) drawn from a seeded RNG per
request number, so the same seed and request order give the same faults.

Kinds
-----
rate_limit    429 with the platform's reset headers (``reset`` seconds ahead)
server_error  a 5xx (``status``, default 503)
slow          answer after ``latency`` seconds (also: ``Faults(latency=…)`` for every request)
truncated     the JSON body cut in half
malformed     a body that is not JSON at all
bad_items     some items lose required fields (the connector must skip and count them)
repeat        the page also carries the previous page's items again
shuffle       the page's items out of order

Written on the command line as ``kind[:key=value[:key=value]]`` joined by commas::

    rate_limit:nth=2,server_error:rate=0.1,slow:latency=0.1,truncated:nth=5
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

KINDS = ("rate_limit", "server_error", "slow", "truncated", "malformed", "bad_items", "repeat", "shuffle")


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    nth: int | None = None  # fire on this request number (1-based)…
    count: int = 1  # …and the count-1 requests after it
    rate: float | None = None  # or with this probability on every request
    platform: str | None = None  # only on this platform's routes
    status: int = 503  # server_error
    latency: float = 0.1  # slow, seconds
    reset: float = 1.0  # rate_limit: seconds until the limit resets

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; use one of: {', '.join(KINDS)}")
        if self.nth is None and self.rate is None:
            raise ValueError(f"fault {self.kind!r} needs nth=N or rate=R")
        if self.rate is not None and not 0 <= self.rate <= 1:
            raise ValueError("rate must be between 0 and 1")


@dataclass
class Faults:
    """The faults of one sandbox; ``decide`` is called once per faultable request."""

    faults: tuple[Fault, ...] = ()
    seed: int = 0
    latency: float = 0.0  # added to every request (a benchmark uses 0.1)

    @classmethod
    def parse(cls, spec: str, *, seed: int = 0, latency: float = 0.0) -> Faults:
        """``"rate_limit:nth=2,server_error:rate=0.1"`` → Faults. Raises ValueError with the culprit."""
        faults = []
        for chunk in filter(None, (part.strip() for part in spec.split(","))):
            kind, *options = chunk.split(":")
            kwargs: dict[str, Any] = {}
            for option in options:
                key, _, value = option.partition("=")
                if key in ("nth", "count", "status"):
                    kwargs[key] = int(value)
                elif key in ("rate", "latency", "reset"):
                    kwargs[key] = float(value)
                elif key == "platform":
                    kwargs[key] = value
                else:
                    raise ValueError(f"unknown fault option {key!r} in {chunk!r}")
            faults.append(Fault(kind.strip(), **kwargs))
        return cls(tuple(faults), seed=seed, latency=latency)

    def decide(self, number: int, platform: str) -> list[Fault]:
        """The faults for faultable request ``number`` (1-based) of ``platform``."""
        fired = []
        for index, fault in enumerate(self.faults):
            if fault.platform not in (None, platform):
                continue
            if fault.nth is not None:
                if fault.nth <= number < fault.nth + fault.count:
                    fired.append(fault)
            elif random.Random(f"{self.seed}:{index}:{number}").random() < (fault.rate or 0):
                fired.append(fault)
        return fired
