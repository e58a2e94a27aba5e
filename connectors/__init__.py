"""Connectors: one module per source, a real client library each, no database access.

``REGISTRY`` is the one place that says which connectors exist.
"""

from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search
from connectors.bluesky import BlueskyConnector
from connectors.file import FileConnector
from connectors.hackernews import HackerNewsConnector
from connectors.mastodon import MastodonConnector
from connectors.reddit import RedditConnector
from connectors.rss import RssConnector
from connectors.twitter import XConnector

REGISTRY: dict[str, type[Connector]] = {cls.name: cls for cls in (
    FileConnector, HackerNewsConnector, RssConnector, MastodonConnector, BlueskyConnector,
    XConnector, RedditConnector,
)}

__all__ = ["REGISTRY", "Budget", "Connector", "ConnectorSettings", "Mention", "Page", "Search"]
