"""Send each digest to each recipient at most once per week: the ``digests_sent`` ledger.

One row per digest, recipient and ISO week: ``sent`` is never sent again;
``failed`` is retried on the next run, with ``attempts`` and ``last_error`` kept;
``sending`` is written just before the SMTP transaction, so a crash in the middle
leaves a row that is reported and not resent (never twice) rather than silently
repeated; ``uncertain`` is the same case seen live: the server had the whole
message when the connection dropped. Both wait for a person to check and pass
``--resend-uncertain``. Every message of a run goes through one SMTP session
(:func:`listener.mail.send_each`); a sent message is archived as ``.eml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from listener.analysis.period import Period
from listener.config import Config
from listener.digest.build import select_digests
from listener.digest.files import Built, build_all
from listener.mail import send_each, smtp_settings
from listener.paths import inside
from reports import email as email_module
from reports.smtp import DeliveryError, Mailer, UncertainDelivery
from storage.schema import digests_sent
from storage.times import utcnow

# may have been delivered: ``sending`` (the run died mid-send) or ``uncertain`` (the
# connection dropped after the server had the whole message); never resent on their own
UNCERTAIN = ("sending", "uncertain")


@dataclass
class Delivery:
    digest: str
    recipient: str
    status: str  # sent | skipped | failed | dry-run | uncertain
    attempts: int = 0
    error: str | None = None
    archive_path: str | None = None
    message_id: str | None = None


@dataclass
class SendReport:
    period: str
    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for d in self.deliveries if d.status == status)

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.status in ("failed", "uncertain")]


def _ledger_row(connection: Connection, digest: str, recipient: str, period: str):
    return connection.execute(select(digests_sent).where(
        digests_sent.c.digest == digest, digests_sent.c.recipient == recipient,
        digests_sent.c.period == period)).first()


def _record(engine: Engine, digest: str, recipient: str, period: str, **values: Any) -> None:
    with engine.begin() as connection:
        values["updated_at"] = utcnow()
        if _ledger_row(connection, digest, recipient, period) is None:
            connection.execute(insert(digests_sent).values(
                digest=digest, recipient=recipient, period=period, **values))
        else:
            connection.execute(update(digests_sent).where(
                digests_sent.c.digest == digest, digests_sent.c.recipient == recipient,
                digests_sent.c.period == period).values(**values))


def resend_hint(period: str, digest: str) -> str:
    return (f"If it did not arrive, send it again with: listener digest --week {period} --name {digest} "
            "--send --resend-uncertain")


def _safe_filename(value: str) -> str:
    return re.sub(r"[^\w.@+-]", "_", value)[:120]


def send_digests(
    engine: Engine,
    config: Config,
    period: Period,
    *,
    archive_dir: Path,
    names: Sequence[str] | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    mailer: Mailer | None = None,
    resend_uncertain: bool = False,
) -> SendReport:
    """Send each digest to each recipient at most once per period (see the module docstring).

    ``resend_uncertain``: send again the uncertain ones (a person checked they did not arrive).

    ``mailer`` (not yet opened) overrides the one made from ``config.smtp``, e.g. with a
    private CA's ``ssl_context``. One SMTP session serves the whole run.
    """
    now = now or utcnow()
    report = SendReport(period.label)
    pending: list[tuple[Built, str, int]] = []
    with engine.connect() as connection:
        entries = select_digests(config, names)
        ledger = {(e.name, r): _ledger_row(connection, e.name, r, period.label)
                  for e in entries for r in e.recipients}
    retried = ("failed", *UNCERTAIN) if resend_uncertain else ("failed",)
    todo = [e for e in entries if any(ledger[(e.name, r)] is None or ledger[(e.name, r)].status
                                      in retried for r in e.recipients)]
    built = {b.config.name: b for b in build_all(engine, config, period,
                                                  names=[e.name for e in todo], now=now)} if todo else {}
    for entry in entries:
        for recipient in entry.recipients:
            row = ledger[(entry.name, recipient)]
            attempts = int(row.attempts) if row is not None else 0
            if row is not None and row.status == "sent":
                report.deliveries.append(Delivery(entry.name, recipient, "skipped", attempts,
                                                  archive_path=row.archive_path,
                                                  message_id=row.message_id))
            elif row is not None and row.status in UNCERTAIN and not resend_uncertain:
                report.deliveries.append(Delivery(
                    entry.name, recipient, "uncertain", attempts,
                    error=(row.last_error or "a previous run stopped while sending")
                    + "; not resent automatically, to avoid a second copy. " + resend_hint(period.label, entry.name)))
            elif dry_run:
                report.deliveries.append(Delivery(entry.name, recipient, "dry-run", attempts,
                                                  error=row.last_error if row is not None else None))
            else:
                pending.append((built[entry.name], recipient, attempts))
    if pending:
        _deliver(engine, config, period, pending, report, archive_dir=Path(archive_dir), now=now,
                 mailer=mailer or Mailer(smtp_settings(config.smtp)))
    return report


def _deliver(engine: Engine, config: Config, period: Period, pending: list[tuple[Built, str, int]],
             report: SendReport, *, archive_dir: Path, now: datetime, mailer: Mailer) -> None:
    def send_one(item: tuple[Built, str, int]) -> None:
        built, recipient, attempts = item
        name = built.config.name
        msgid = email_module.message_id(config.smtp.sender.rpartition("@")[2] or None)
        message = built.message(config.smtp.sender, [recipient], now, msgid=msgid)
        # where its copy goes, checked before sending (a refused path must not follow a send)
        folder = inside(archive_dir, period.label, _safe_filename(name))
        path = inside(folder, f"{_safe_filename(recipient)}.eml")
        _record(engine, name, recipient, period.label, status="sending", attempts=attempts + 1,
                message_id=msgid)
        try:
            mailer.send(message)
        except UncertainDelivery as error:
            _record(engine, name, recipient, period.label, status="uncertain", last_error=str(error))
            report.deliveries.append(Delivery(
                name, recipient, "uncertain", attempts + 1, message_id=msgid,
                error=f"{error}; not resent automatically, to avoid a second copy. "
                      + resend_hint(period.label, name)))
            return
        except DeliveryError as error:
            _record(engine, name, recipient, period.label, status="failed", last_error=str(error))
            report.deliveries.append(Delivery(name, recipient, "failed", attempts + 1,
                                              error=str(error), message_id=msgid))
            return
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(message))
        _record(engine, name, recipient, period.label, status="sent", last_error=None,
                sent_at=utcnow(), archive_path=str(path))
        report.deliveries.append(Delivery(name, recipient, "sent", attempts + 1,
                                          archive_path=str(path), message_id=msgid))

    def unreachable(item: tuple[Built, str, int], error: DeliveryError) -> None:
        built, recipient, attempts = item
        _record(engine, built.config.name, recipient, period.label, status="failed",
                attempts=attempts + 1, last_error=str(error))
        report.deliveries.append(Delivery(built.config.name, recipient, "failed", attempts + 1,
                                          error=str(error)))

    send_each(mailer, pending, send_one, unreachable)
