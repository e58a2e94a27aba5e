"""Logging for the CLI and ``listener serve``: levels from --verbose/--quiet, secrets redacted.

:class:`RedactingFilter` sits on listener's handler, so every record that is
written, from any library, passes through it: the values of secret settings in
the loaded config (``SecretStr`` fields, connector secrets), passwords in URLs
and bearer tokens / Authorization headers are replaced by ``***``, in the
message, its arguments and any traceback.

Lines are plain text, or with ``--log-format json`` (``LISTENER_LOG_FORMAT=json``)
one JSON object per line (``timestamp`` in UTC ISO 8601, ``level``, ``logger``,
``message``, ``exc_info``) for journald, Loki or any log shipper, written by
python-json-logger.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TextIO

from pydantic import BaseModel, SecretStr
from pythonjsonlogger.json import JsonFormatter

MASK = "***"
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]*:)(?P<secret>[^@\s/]+)(?=@)")
_BEARER = re.compile(r"(?i)\b(?P<head>bearer\s+)(?P<secret>[A-Za-z0-9\-._~+/]+=*)")
_AUTH_HEADER = re.compile(r"(?i)(?P<head>['\"]?(?:authorization|x-api-key|api[_-]?key|access[_-]?token|"
                          r"client[_-]?secret|password)['\"]?\s*[:=]\s*['\"]?)(?P<secret>[^\s'\",}&]+)")
_QUERY_SECRET = re.compile(r"(?i)(?P<head>[?&](?:access_token|token|api_key|key|password|secret)=)(?P<secret>[^&\s]+)")
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words


def redact(message: str, secrets: Iterable[str] = ()) -> str:
    """``message`` with known secret values and credential-looking parts masked."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            message = message.replace(secret, MASK)
    for pattern in (_URL_PASSWORD, _BEARER, _AUTH_HEADER, _QUERY_SECRET):
        message = pattern.sub(lambda m: m.group("head") + MASK, message)
    return message


def secrets_of(value: Any) -> set[str]:
    """Every ``SecretStr`` value in a config (pydantic models, dicts, lists), and URL passwords."""
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, SecretStr):
            found.add(item.get_secret_value())
        elif isinstance(item, BaseModel):
            for name in type(item).model_fields:
                walk(getattr(item, name, None))
            for extra in (getattr(item, "connector_settings", None),):
                if isinstance(extra, dict):
                    walk(extra)
        elif isinstance(item, dict):
            for child in item.values():
                walk(child)
        elif isinstance(item, list | tuple | set):
            for child in item:
                walk(child)

    walk(value)
    storage = getattr(value, "storage", None)
    if storage is not None:
        from sqlalchemy.engine import make_url

        try:
            password = make_url(storage.url).password
        except Exception:  # an unparsable URL has no password to find
            password = None
        if password:
            found.add(str(password))
    # connector secrets named by the connector class (plain str fields)
    for name, settings in (getattr(value, "connector_settings", None) or {}).items():
        from connectors import REGISTRY

        cls = REGISTRY.get(name)
        for field in getattr(cls, "secrets", ()):
            secret = getattr(settings, field, None)
            if isinstance(secret, SecretStr):
                found.add(secret.get_secret_value())
            elif isinstance(secret, str):
                found.add(secret)
    return {s for s in found if s}


class RedactingFilter(logging.Filter):
    """Masks secrets in every record it sees; never drops a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: set[str] = set(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        self.secrets.update(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: keep the raw pieces
            message = f"{record.msg} {record.args}"
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        record.exc_info = None  # formatters use the redacted exc_text, never a fresh traceback
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


# The one filter listener's handler uses; the CLI adds the config's secrets once it is loaded.
REDACTOR = RedactingFilter()
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFormat(StrEnum):
    text = "text"
    json = "json"


_format = LogFormat.text  # the one chosen on the command line; later setup() calls keep it


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == LogFormat.json:
        return JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp=True,
                             rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(FORMAT)


def level_for(verbose: int = 0, quiet: bool = False) -> int:
    if quiet:
        return logging.ERROR
    return (logging.WARNING, logging.INFO, logging.DEBUG)[min(max(verbose, 0), 2)]


def setup(verbose: int = 0, quiet: bool = False, stream: TextIO | None = None,
          log_format: LogFormat | None = None) -> logging.Handler:
    """Route log records to stderr through the redactor; replaces a previous listener handler.

    ``log_format`` None keeps the format of the previous call (text at first).
    """
    global _format
    _format = LogFormat(log_format) if log_format is not None else _format
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_listener", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._listener = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(_format))
    handler.addFilter(REDACTOR)
    root.addHandler(handler)
    root.setLevel(level_for(verbose, quiet))
    # chatty libraries stay at WARNING unless -vv (NOTSET: a later -vv setup lets them through)
    chatty = (logging.WARNING, logging.INFO, logging.NOTSET)[min(max(verbose, 0), 2)]
    for name in ("apscheduler.scheduler", "apscheduler.executors.default", "urllib3", "httpx",
                 "alembic"):
        logging.getLogger(name).setLevel(chatty)
    return handler


def register_secrets(config: Any) -> None:
    REDACTOR.add(secrets_of(config))
