"""Mail delivery shared by the digest and the alerts: SMTP settings, dates, one session per run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from listener.config import SmtpConfig
from reports.smtp import DeliveryError, Mailer, SmtpSettings

T = TypeVar("T")


def smtp_settings(smtp: SmtpConfig) -> SmtpSettings:
    return SmtpSettings(host=smtp.host, port=smtp.effective_port, security=smtp.security,
                        username=smtp.username,
                        password=smtp.password.get_secret_value() if smtp.password else None,
                        timeout=smtp.timeout)


def aware_utc(moment: datetime) -> datetime:
    """Naive UTC (as stored) made explicit for mail headers."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def send_each(mailer: Mailer, items: Sequence[T], send_one: Callable[[T], None],
              unreachable: Callable[[T, DeliveryError], None]) -> None:
    """Open one SMTP session and call ``send_one`` for each item (it handles its own
    failures), then close. When the server cannot be reached, ``unreachable`` is called
    for every item instead."""
    try:
        mailer.open()
    except DeliveryError as error:
        for item in items:
            unreachable(item, error)
        return
    try:
        for item in items:
            send_one(item)
    finally:
        mailer.close()
