"""Connectors: one module per source, a real client library each, no database access.

``REGISTRY`` is the one place that says which connectors exist. It maps a name
to its class and imports a connector's module (and so its client library:
tweepy, praw, atproto…) only when that connector is asked for, so a command
that uses two sources does not pay for loading all seven.
"""

from collections.abc import Iterator, Mapping
from importlib import import_module

from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search

_WHERE = {
    "file": "connectors.file:FileConnector",
    "hackernews": "connectors.hackernews:HackerNewsConnector",
    "rss": "connectors.rss:RssConnector",
    "mastodon": "connectors.mastodon:MastodonConnector",
    "bluesky": "connectors.bluesky:BlueskyConnector",
    "x": "connectors.twitter:XConnector",
    "reddit": "connectors.reddit:RedditConnector",
}


class _Registry(Mapping[str, type[Connector]]):
    def __init__(self, where: Mapping[str, str]):
        self._where = dict(where)
        self._loaded: dict[str, type[Connector]] = {}

    def __getitem__(self, name: str) -> type[Connector]:
        if name not in self._loaded:
            module, _, attribute = self._where[name].partition(":")  # KeyError for unknown names
            cls = getattr(import_module(module), attribute)
            assert cls.name == name, f"{self._where[name]} is registered as {name!r} but named {cls.name!r}"
            self._loaded[name] = cls
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


REGISTRY: Mapping[str, type[Connector]] = _Registry(_WHERE)

__all__ = ["REGISTRY", "Budget", "Connector", "ConnectorSettings", "Mention", "Page", "Search"]
