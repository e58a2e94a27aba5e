"""Send messages over SMTP: STARTTLS, implicit TLS (SSL) or plain, with optional login.

Every failure surfaces as ``DeliveryError`` whose message names the server, the
step that failed and the server's answer, never the password. ``ssl_context`` is
passed in so tests (and private CAs) can trust their own certificate.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal


class DeliveryError(Exception):
    """A message could not be handed to the SMTP server. Retry later; the message says why."""


class UncertainDelivery(DeliveryError):
    """The server received the whole message, then the connection dropped before it answered.

    It may well have been delivered: sending it again risks a second copy, so the
    caller must not retry on its own.
    """


class _BodyTracked:
    """Knows whether the message body went out (smtplib ends it with CRLF.CRLF) before a failure."""

    body_sent = False

    def send(self, s: Any) -> None:
        super().send(s)  # type: ignore[misc]  # a mixin: the SMTP class comes next in the MRO
        self.body_sent = isinstance(s, bytes) and s.endswith(b"\r\n.\r\n")


class _SMTP(_BodyTracked, smtplib.SMTP):
    pass


class _SMTP_SSL(_BodyTracked, smtplib.SMTP_SSL):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    def where(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


class Mailer:
    """One SMTP session: ``with Mailer(settings) as mailer: mailer.send(message)``."""

    def __init__(self, settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.ssl_context = ssl_context
        self._client: _SMTP | _SMTP_SSL | None = None
        self._in_session = False  # between open() and close(): a dropped connection is reopened

    def __enter__(self) -> Mailer:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> None:
        settings = self.settings
        context = self.ssl_context or ssl.create_default_context()
        step = "connect"
        try:
            if settings.security == "ssl":
                client: _SMTP | _SMTP_SSL = _SMTP_SSL(settings.host, settings.port,
                                                      timeout=settings.timeout, context=context)
            else:
                client = _SMTP(settings.host, settings.port, timeout=settings.timeout)
            self._client = client
            self._in_session = True
            client.ehlo()
            if settings.security == "starttls":
                step = "STARTTLS"
                if not client.has_extn("starttls"):
                    raise DeliveryError(self._message("the server does not offer STARTTLS; "
                                                      "set smtp.security = \"ssl\" or \"none\""))
                client.starttls(context=context)
                client.ehlo()
            if settings.username:
                step = f"login as {settings.username}"
                client.login(settings.username, settings.password or "")
        except DeliveryError:
            self.close()
            raise
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryError(self._message(f"{step} failed: {self._describe(error)}")) from None

    def send(self, message: EmailMessage, *, sender: str | None = None,
             recipients: list[str] | None = None) -> None:
        """Send one message; UncertainDelivery when it may have arrived despite the error.

        Within a session, a connection lost on an earlier message is opened again first.
        """
        if self._client is None:
            if not self._in_session:
                raise DeliveryError(self._message("not connected"))
            self.open()  # the last message lost the connection: the next one gets a new one
        client = self._client
        assert client is not None
        client.body_sent = False
        try:
            refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
        except (smtplib.SMTPException, OSError) as error:
            lost = isinstance(error, smtplib.SMTPServerDisconnected | OSError) or (
                isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421)
            if lost:
                self._drop()
            if client.body_sent and lost:
                raise UncertainDelivery(self._message(
                    f"the server received the whole message, then the connection dropped before it "
                    f"confirmed ({self._describe(error)}): it may have been delivered")) from None
            raise DeliveryError(self._message(f"sending failed: {self._describe(error)}")) from None
        if refused:
            who = ", ".join(f"{address} ({self._answer(*answer)})" for address, answer in refused.items())
            raise DeliveryError(self._message(f"recipients refused: {who}"))

    def close(self) -> None:
        self._in_session = False
        self._drop()

    def _drop(self) -> None:
        """Close the connection (politely if it still answers); the session may go on."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()

    # -- messages -------------------------------------------------------------------------

    def _message(self, text: str) -> str:
        message = f"SMTP {self.settings.where()}: {text}"
        if self.settings.password:
            message = message.replace(self.settings.password, "***")
        return message

    @staticmethod
    def _answer(code: int, text: bytes | str) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return f"{code} {text}".strip()

    def _describe(self, error: BaseException) -> str:
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            return "recipients refused: " + ", ".join(
                f"{address} ({self._answer(*answer)})" for address, answer in error.recipients.items())
        if isinstance(error, smtplib.SMTPResponseException):
            return self._answer(error.smtp_code, error.smtp_error)
        if isinstance(error, ssl.SSLError):
            return f"TLS error: {error.reason or error}"
        if isinstance(error, socket.timeout | TimeoutError):
            return f"no answer within {self.settings.timeout:g} s"
        if isinstance(error, ConnectionRefusedError):
            return "connection refused (is the host and port right?)"
        if isinstance(error, socket.gaierror):
            return f"unknown host {self.settings.host!r}"
        return str(error) or type(error).__name__


def send(message: EmailMessage, settings: SmtpSettings, *,
         ssl_context: ssl.SSLContext | None = None) -> None:
    """Open a session, send one message, close."""
    with Mailer(settings, ssl_context=ssl_context) as mailer:
        mailer.send(message)
