"""Closed sets of option values, shared by the commands that take them.

Typer shows them in --help (``<table|csv|json|parquet>``), completes them, and
rejects anything else as a usage error naming the choices, so no command checks
them by hand. They mirror the tuples of the layers below (a test keeps them equal).
"""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class ImportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


class Kind(StrEnum):
    brand = "brand"
    competitor = "competitor"
    industry = "industry"


class Sort(StrEnum):
    newest = "newest"
    reach = "reach"
    engagement = "engagement"
    negative = "negative"


class Sentiment(StrEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"
    unscored = "unscored"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


class AuthorFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class AuthorSort(StrEnum):
    reach = "reach"
    mentions = "mentions"
    engagement = "engagement"
    negative = "negative"
