"""Build the digest email: text and HTML alternatives, charts inline by Content-ID.

Structure (what every client understands)::

    multipart/alternative
    ├── text/plain; charset=utf-8
    └── multipart/related
        ├── text/html; charset=utf-8      <img src="cid:…">
        └── image/png  Content-ID: <…>    (one per chart)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from reports.model import Chart

DEFAULT_DOMAIN = "listener.invalid"


def message_id(domain: str | None = None) -> str:
    """A unique Message-ID, short enough never to be folded."""
    return f"<{uuid.uuid4().hex}@{domain or DEFAULT_DOMAIN}>"


def build_message(
    *,
    subject: str,
    text: str,
    html: str | None = None,
    charts: Sequence[Chart] = (),
    sender: str,
    recipients: Sequence[str],
    language: str = "en",
    date: datetime | None = None,
    msgid: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """One message for ``recipients``: text and HTML alternatives, or plain text when ``html``
    is None. ``date`` defaults to now (UTC); ``msgid`` to a fresh one."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime((date or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = msgid or message_id(_domain_of(sender))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text, subtype="plain", charset="utf-8")
    if html is None:  # a plain-text message (alerts)
        message["Content-Language"] = language
        return message
    message.add_alternative(html, subtype="html", charset="utf-8")
    message["Content-Language"] = language  # after set_content, which clears Content-* headers
    html_part = message.get_payload()[1]
    for chart in charts:
        html_part.add_related(chart.png, maintype="image", subtype="png", cid=f"<{chart.cid}>",
                              filename=chart.filename, disposition="inline")
    return message


def _domain_of(address: str) -> str | None:
    domain = address.rpartition("@")[2].strip(" >")
    return domain or None
