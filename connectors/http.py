"""HTTP plumbing shared by the connectors that speak to a platform through ``requests``.

* :func:`session` builds a ``requests.Session`` whose adapters retry 429/5xx
  with jittered exponential backoff and honour ``Retry-After`` (capped), with
  an injectable ``sleep`` so tests never really wait.
* :class:`RedirectAdapter` sends requests for hard-coded hosts (tweepy's
  ``https://api.twitter.com``) to another base URL, e.g. the sandbox on
  loopback: ``mount_redirect(client.session, "https://api.twitter.com", url)``.
* :func:`reset_at` / :func:`retry_after_seconds` read the many spellings of
  "when can I ask again" (``x-rate-limit-reset``, ``x-ratelimit-reset``,
  ``ratelimit-reset``, ``retry-after``).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from connectors.base import Connector, ConnectorSettings
from connectors.errors import RateLimited
from connectors.limits import Limits, SocketRegistry, Watchdog, read_body

Sleep = Callable[[float], None]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 522})
DEFAULT_TIMEOUT = 30.0
# A Unix timestamp in a reset header is at least this big; smaller numbers are seconds.
_EPOCH_THRESHOLD = 10**9


class PoliteRetry(Retry):
    """urllib3 ``Retry`` whose waits go through an injectable ``sleep``."""

    def __init__(self, *args: Any, sleep: Sleep | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sleep_function: Sleep = time.sleep if sleep is None else sleep

    def new(self, **kw: Any) -> PoliteRetry:
        retry = super().new(**kw)
        retry.sleep_function = self.sleep_function
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # urllib3 retries any 413/429/503 carrying Retry-After even when it is not in
        # status_forcelist; a connector that handles 429 itself must see it.
        if status_code not in self.status_forcelist:
            return False
        return super().is_retry(method, status_code, has_retry_after)

    def sleep_for_retry(self, response: Any) -> bool:
        retry_after = self.get_retry_after(response)
        if retry_after:
            self.sleep_function(retry_after)
            return True
        return False

    def sleep(self, response: Any = None) -> None:
        """Wait before the next try: ``Retry-After`` when the response has one, else the backoff."""
        if self.respect_retry_after_header and response is not None and self.sleep_for_retry(response):
            return
        backoff = self.get_backoff_time()
        if backoff > 0:
            self.sleep_function(backoff)


def retry_policy(
    *,
    retries: int = 3,
    statuses: Collection[int] = RETRY_STATUSES,
    backoff_factor: float = 0.5,
    backoff_jitter: float = 0.5,
    backoff_max: float = 60.0,
    retry_after_max: float = 300.0,
    sleep: Sleep | None = None,
) -> PoliteRetry:
    """Retry idempotent requests on ``statuses`` and connection errors, then hand back the last response."""
    return PoliteRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        status_forcelist=frozenset(statuses),
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "POST"}),
        backoff_factor=backoff_factor,
        backoff_jitter=backoff_jitter,
        backoff_max=backoff_max,
        retry_after_max=retry_after_max,
        respect_retry_after_header=True,
        raise_on_status=False,  # the caller sees the final 429/5xx and maps it
        sleep=sleep,
    )


class TimeoutAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` with a default timeout (requests has none) and, given ``limits``,
    bounded bodies and a total time per request (see :mod:`connectors.limits`)."""

    def __init__(self, *args: Any, timeout: float = DEFAULT_TIMEOUT, limits: Limits | None = None,
                 **kwargs: Any):
        self.timeout = timeout
        self.limits = limits
        self.registry = SocketRegistry()
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = guarded_pools(self.registry)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if self.limits is None:
            return super().send(request, **kwargs)
        url = request.url or ""
        seconds, setting = self.limits.seconds_left()
        if seconds <= 0:
            raise self.limits.too_slow(url, setting)
        streamed = kwargs.get("stream", False)
        kwargs["stream"] = True  # the body is read here, within bounds, not by requests
        with Watchdog(seconds, self.registry) as watchdog:
            try:
                response = super().send(request, **kwargs)
                if not streamed:
                    try:
                        response._content = read_body(response.raw, self.limits, url)
                    finally:
                        response.close()
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                if watchdog.expired:
                    raise self.limits.too_slow(url, setting) from error
                raise
        if watchdog.expired:  # cut mid-headers, the answer may even look complete: it is not
            raise self.limits.too_slow(url, setting)
        return response


def guarded_pools(registry: SocketRegistry) -> dict[str, type]:
    """urllib3 pool classes whose connections register their sockets, for the watchdog."""

    class Connection(urllib3.connection.HTTPConnection):
        def connect(self) -> None:
            registry.add(self)
            super().connect()

    class SecureConnection(urllib3.connection.HTTPSConnection):
        def connect(self) -> None:
            registry.add(self)
            super().connect()

    class Pool(urllib3.HTTPConnectionPool):
        ConnectionCls = Connection

    class SecurePool(urllib3.HTTPSConnectionPool):
        ConnectionCls = SecureConnection

    return {"http": Pool, "https": SecurePool}


class RedirectAdapter(TimeoutAdapter):
    """Rewrites ``https://hard.coded.host/path`` to ``{base_url}/path`` before sending.

    Mount it on the hard-coded prefix; the base URL's own path is prepended.
    """

    def __init__(self, base_url: str, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        target = urlsplit(base_url.rstrip("/"))
        self._scheme, self._netloc, self._path = target.scheme, target.netloc, target.path

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = urlunsplit(
            (self._scheme, self._netloc, self._path + parts.path, parts.query, parts.fragment)
        )
        # Host must follow the URL, or virtual hosting (and our sandbox log) sees the old one.
        request.headers.pop("Host", None)
        return super().send(request, **kwargs)


def session(
    *,
    user_agent: str | None = None,
    retry: Retry | int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    sleep: Sleep | None = None,
    base: requests.Session | None = None,
    limits: Limits | None = None,
) -> requests.Session:
    """A ``requests.Session`` with retrying, timing-out adapters on http:// and https://.

    ``base`` configures an existing session (e.g. tweepy's ``client.session``);
    ``limits`` bounds every body and request (a connector passes its own).
    """
    http = base or requests.Session()
    policy = retry if isinstance(retry, Retry) else retry_policy(
        retries=3 if retry is None else retry, sleep=sleep
    )
    for prefix in ("https://", "http://"):
        http.mount(prefix, TimeoutAdapter(max_retries=policy, timeout=timeout, limits=limits))
    if user_agent:
        http.headers["User-Agent"] = user_agent
    return http


def mount_redirect(
    http: requests.Session,
    prefix: str,
    base_url: str,
    *,
    retry: Retry | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    limits: Limits | None = None,
) -> None:
    """Send every request to ``prefix`` (e.g. ``https://api.twitter.com``) to ``base_url``."""
    adapter = RedirectAdapter(base_url, max_retries=retry or retry_policy(), timeout=timeout, limits=limits)
    http.mount(prefix.rstrip("/") + "/", adapter)


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return value
    return None


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    value = _header(headers, "retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def reset_at(
    headers: Mapping[str, str],
    *,
    now: datetime | None = None,
    names: tuple[str, ...] = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"),
) -> datetime | None:
    """When the platform will answer again, from rate-limit headers; None if they do not say.

    A reset value is read as a Unix timestamp when it is that large (X, GitHub,
    Mastodon's ISO dates too), else as seconds from now (Reddit, IETF draft).
    ``Retry-After`` is used when no reset header is present.
    """
    now = now or datetime.now(UTC)
    value = _header(headers, *names)
    if value is not None:
        try:
            number = float(value)
        except ValueError:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None:
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        else:
            if number >= _EPOCH_THRESHOLD:
                return datetime.fromtimestamp(number, UTC)
            return now + timedelta(seconds=max(0.0, number))
    seconds = retry_after_seconds(headers, now=now)
    return None if seconds is None else now + timedelta(seconds=seconds)


def wait_seconds(reset: datetime | None, *, now: datetime | None = None, default: float = 60.0) -> float:
    """Seconds to wait until ``reset`` (plus one for clock skew); ``default`` when unknown."""
    if reset is None:
        return default
    return max(0.0, (reset - (now or datetime.now(UTC))).total_seconds()) + 1.0


def on_rate_limit(
    source: str,
    reset: datetime | None,
    *,
    mode: str,
    max_wait_seconds: float,
    sleep: Sleep,
    now: datetime | None = None,
    response: Any = None,
) -> None:
    """Wait until ``reset`` (``mode="wait"``, up to ``max_wait_seconds``), or raise RateLimited.

    Raising ends this connector's run cleanly: the pages already yielded are
    stored with their cursors, and the next run resumes there.
    """
    seconds = wait_seconds(reset, now=now)
    when = reset.isoformat(timespec="seconds") if reset else "an unknown time"
    if mode != "wait":
        raise RateLimited(f"{source} rate limit reached; it resets at {when}", reset_at=reset,
                          response=response)
    if seconds > max_wait_seconds:
        raise RateLimited(
            f"{source} rate limit resets at {when}, in {seconds:.0f}s, more than "
            f"max_wait_seconds={max_wait_seconds:.0f}", reset_at=reset, response=response,
        )
    sleep(seconds)


_new_session = session  # HttpConnector.__init__ has a parameter of that name


class HttpConnector(Connector):
    """A connector that talks to its platform through one retrying ``requests`` session.

    ``sleep`` and ``clock`` are methods so a test can pass fakes and never wait;
    every wait (backoff, rate limits) goes through ``self.sleep``.
    """

    user_agent: ClassVar[str] = "listener/0.1 (self-hosted social listening)"

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        session: requests.Session | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(settings)
        if sleep is not None:
            self.sleep = sleep  # type: ignore[method-assign]
        if clock is not None:
            self.clock = clock  # type: ignore[method-assign]
        # Waits go through self.sleep, so a test may swap it after construction.
        self.http = session if session is not None else _new_session(
            user_agent=self.user_agent, sleep=lambda s: self.sleep(s), limits=self.limits)

    def clock(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:
        self.http.close()
