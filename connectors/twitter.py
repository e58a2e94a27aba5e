"""X (Twitter) recent search through tweepy's ``Client.search_recent_tweets``.

Cursor (newest first, so ``sorted = False``)::

    {"since_id": "<newest id of the last completed pass>",
     "pass": {"newest_id": …, "next_token": …, "start_time": …}}   # only mid-pass

Every page carries the *old* ``since_id`` and the pass marker; the last page
of a pass promotes ``since_id = newest_id`` and drops the marker. A crash
mid-pass re-reads from the old ``since_id`` (the upsert absorbs the overlap);
a budget or rate-limit stop resumes the pass from ``next_token`` next run.
First run: ``start_time = now - backfill_days`` (recent search covers 7 days).

tweepy always calls ``https://api.twitter.com``; with ``base_url`` set, a
transport adapter mounted on ``client.session`` sends those requests there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import requests
import tweepy
from pydantic import Field, SecretStr

from connectors import http, ratelimited
from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search
from connectors.errors import CredentialsError, ErrorTable, FatalError, RateLimited, RetriableError
from connectors.pagination import Paginator

API_HOST = "https://api.twitter.com"
EXPANSIONS = ["author_id", "referenced_tweets.id"]
TWEET_FIELDS = ["created_at", "lang", "public_metrics", "referenced_tweets", "conversation_id",
                "in_reply_to_user_id"]
USER_FIELDS = ["username", "name", "public_metrics"]
CONFIG_KEY = "connectors.x.bearer_token"

# tweepy logs request headers (the bearer token) at DEBUG: never let that through.
logging.getLogger("tweepy.client").setLevel(logging.INFO)


class XSettings(ConnectorSettings):
    bearer_token: SecretStr
    exclude_retweets: bool = False
    languages: list[str] = []  # e.g. ["en", "fr"]; empty: every language
    on_rate_limit: Literal["wait", "stop"] = "wait"
    max_wait_seconds: float = 900.0
    page_size: int = Field(100, ge=10, le=100)
    backfill_days: int = Field(7, ge=0, le=7)
    max_query_length: int = 512  # 512 on the Basic/Pro recent search, 4096 on Enterprise
    retries: int = Field(3, ge=0)  # transport retries on 5xx and connection errors
    timeout_seconds: float = 30.0


def x_query(query: str, *, exclude_retweets: bool = False, languages: list[str] | tuple[str, ...] = ()) -> str:
    """An X search query (already in X syntax) with this connector's own operators added."""
    operators = []
    if exclude_retweets:
        operators.append("-is:retweet")
    if languages:
        alternatives = " OR ".join(f"lang:{lang}" for lang in languages)
        operators.append(f"({alternatives})" if len(languages) > 1 else alternatives)
    if not operators:
        return query
    return " ".join([f"({query})" if " OR " in query else query, *operators])


def _status(error: tweepy.HTTPException) -> int:
    return error.response.status_code


def _refused(error: tweepy.HTTPException) -> CredentialsError:
    return CredentialsError(f"X refused the bearer token ({_status(error)})", config_key=CONFIG_KEY)


# tweepy's exceptions and ours; the nearest class of an exception wins (connectors.errors.mapped)
TWEEPY_ERRORS: ErrorTable = {
    tweepy.TooManyRequests: lambda e: RateLimited("X rate limit reached", response=e.response),
    tweepy.Unauthorized: _refused,
    tweepy.Forbidden: _refused,
    tweepy.TwitterServerError: lambda e: RetriableError(f"X server error {_status(e)}", response=e.response),
    tweepy.BadRequest: lambda e: FatalError(f"X rejected the request: {'; '.join(e.api_messages) or e}"),
    tweepy.HTTPException: lambda e: RetriableError(f"X answered {_status(e)}", response=e.response),
    requests.exceptions.JSONDecodeError: lambda e: RetriableError("X sent a truncated or invalid JSON body"),
    requests.RequestException: lambda e: RetriableError(f"cannot reach X: {type(e).__name__}"),
}


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mention_from_tweet(tweet: Any, users: dict[str, dict[str, Any]]) -> Mention | None:
    """One tweet of a search response as a Mention; None when it lacks id, text or a valid date."""
    if not isinstance(tweet, dict):
        return None
    tweet_id, text, created = tweet.get("id"), tweet.get("text"), tweet.get("created_at")
    if not tweet_id or not isinstance(text, str) or not isinstance(created, str):
        return None
    try:
        created_at = _parse_time(created)
    except ValueError:
        return None
    user = users.get(str(tweet.get("author_id")), {})
    metrics = tweet.get("public_metrics") or {}
    user_metrics = user.get("public_metrics") or {}
    references = {ref.get("type"): ref.get("id") for ref in tweet.get("referenced_tweets") or []
                  if isinstance(ref, dict)}
    parent = references.get("retweeted") or references.get("replied_to")
    username = user.get("username")
    return Mention(
        source="x",
        external_id=str(tweet_id),
        text=text,
        created_at=created_at,
        author=username,
        author_id=str(tweet["author_id"]) if tweet.get("author_id") else None,
        author_name=user.get("name"),
        author_followers=user_metrics.get("followers_count"),
        url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
        lang=tweet.get("lang"),
        likes=metrics.get("like_count"),
        reposts=metrics.get("retweet_count"),
        replies=metrics.get("reply_count"),
        views=metrics.get("impression_count"),
        is_repost="retweeted" in references,
        is_reply="replied_to" in references,
        parent_id=str(parent) if parent else None,
        raw=tweet,
    )


def page_of(body: dict[str, Any]) -> tuple[list[Mention], int]:
    """The mentions of one search response and how many items were malformed."""
    users = {str(user.get("id")): user for user in (body.get("includes") or {}).get("users") or []
             if isinstance(user, dict)}
    mentions, skipped = [], 0
    for tweet in body.get("data") or []:
        mention = mention_from_tweet(tweet, users)
        if mention is None:
            skipped += 1
        else:
            mentions.append(mention)
    return mentions, skipped


class XConnector(Connector):
    """Recent search (last 7 days) for each topic query."""

    name = "x"
    cursor_field = "since_id"
    sorted = False
    Settings = XSettings
    query_syntax = "x"
    secrets = ("bearer_token",)
    config_key = CONFIG_KEY

    def __init__(self, settings: XSettings):
        super().__init__(settings)
        self.settings: XSettings = settings
        self._client: tweepy.Client | None = None

    @property
    def client(self) -> tweepy.Client:
        if self._client is None:
            client = tweepy.Client(bearer_token=self.settings.bearer_token.get_secret_value(),
                                   return_type=dict, wait_on_rate_limit=False)
            # 429 is ours to handle (wait or stop); the transport retries 5xx and lost connections.
            retry = http.retry_policy(retries=self.settings.retries, statuses=http.RETRY_STATUSES - {429},
                                      sleep=lambda seconds: self.sleep(seconds))
            http.session(base=client.session, retry=retry, timeout=self.settings.timeout_seconds,
                         limits=self.limits)
            if self.settings.base_url:
                http.mount_redirect(client.session, API_HOST, self.settings.base_url, retry=retry,
                                    timeout=self.settings.timeout_seconds, limits=self.limits)
            self._client = client
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.session.close()
            self._client = None

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def clock(self) -> datetime:
        return datetime.now(UTC)

    def query_for(self, search: Search) -> str:
        if not search.query:
            raise FatalError(f"search {search.key!r} has no query")
        query = x_query(search.query, exclude_retweets=self.settings.exclude_retweets,
                        languages=self.settings.languages)
        if len(query) > self.settings.max_query_length:
            raise FatalError(
                f"the X query of {search.topic or search.key!r} is {len(query)} characters, over "
                f"connectors.x.max_query_length={self.settings.max_query_length}; shorten the topic query"
            )
        return query

    def fetch(self, search: Search, state: dict[str, Any] | None, budget: Budget) -> Iterator[Page]:
        query = self.query_for(search)
        since_id = (state or {}).get("since_id")
        progress = dict((state or {}).get("pass") or {})
        newest_id: str | None = progress.get("newest_id")
        next_token: str | None = progress.get("next_token")
        start_time: str | None = progress.get("start_time")
        if since_id is None and start_time is None:
            start_time = _iso(self.clock() - timedelta(days=self.settings.backfill_days))
        pages = Paginator("X", next_token)
        while budget.allows_request() and not budget.exhausted:
            body, requests_made = self._search(query, since_id, start_time, pages.token)
            mentions, skipped = page_of(body)
            ids = [int(m.external_id) for m in mentions if m.external_id.isdigit()]
            meta_newest = (body.get("meta") or {}).get("newest_id")
            if meta_newest and str(meta_newest).isdigit():
                ids.append(int(meta_newest))
            if ids and (newest_id is None or max(ids) > int(newest_id)):
                newest_id = str(max(ids))
            if not pages.advance((body.get("meta") or {}).get("next_token")):  # the pass is complete: promote
                yield Page(mentions, {"since_id": newest_id or since_id}, skipped=skipped,
                           requests=requests_made)
                return
            marker = {"newest_id": newest_id, "next_token": pages.token, "start_time": start_time}
            yield Page(mentions, {"since_id": since_id, "pass": marker}, skipped=skipped,
                       requests=requests_made)

    def _search(self, query: str, since_id: str | None, start_time: str | None,
                next_token: str | None) -> tuple[dict[str, Any], int]:
        """One page of results, waiting out rate limits if so configured; (body, requests made)."""
        params: dict[str, Any] = {
            "max_results": self.settings.page_size, "expansions": EXPANSIONS,
            "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        elif start_time:
            params["start_time"] = start_time
        if next_token:
            params["next_token"] = next_token
        return ratelimited.call(
            lambda: self.client.search_recent_tweets(query, **params), source="X", errors=TWEEPY_ERRORS,
            mode=self.settings.on_rate_limit, max_wait_seconds=self.settings.max_wait_seconds,
            sleep=self.sleep, clock=self.clock)
