"""Connectors: one module per source, a real client library each, no database access.

``REGISTRY`` is the one place that says which connectors exist.
"""

from connectors.base import Budget, Connector, ConnectorSettings, Mention, Page, Search
from connectors.file import FileConnector

REGISTRY: dict[str, type[Connector]] = {cls.name: cls for cls in (FileConnector,)}

__all__ = ["REGISTRY", "Budget", "Connector", "ConnectorSettings", "Mention", "Page", "Search"]
