"""Alerts a manager can act on: spikes and negative mentions from wide-reaching authors.

Each alert is a short plain-text email to ``[alerts] recipients`` and/or a
Slack-compatible webhook POST (``{"text": …}``). They never flood:

* an alert is sent once per channel (``alerts_sent`` has one row per kind, topic, key, channel);
* cooldown: after a spike alert for a topic, no other spike alert for it for
  ``cooldown_hours``; after a negative-mention alert about an author, none about
  the same author and topic for ``cooldown_hours``;
* daily cap: at most ``daily_cap`` alerts per channel in any 24 hours; the rest
  are reported as held back, and go out on a later run if still fresh.

A failed delivery records nothing, so the next run retries it. Webhook errors
never show the URL (it is a secret: whoever has it can post).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import requests
from sqlalchemy import Connection, Engine, and_, func, select

from listener.analysis.period import days_between
from listener.analysis.spikes import KIND as SPIKE
from listener.analysis.spikes import detect_spikes
from listener.config import Config
from listener.mail import aware_utc, send_each, smtp_settings
from reports import i18n
from reports.email import build_message
from reports.smtp import DeliveryError, Mailer
from reports.text import SOURCE_NAMES, clean, safe_url
from storage.schema import alerts_sent, matches, mentions, scores, topics
from storage.times import utcnow
from storage.upsert import insert

NEGATIVE = "negative"
NEGATIVE_WINDOW = timedelta(hours=24)
WEBHOOK_TIMEOUT = 10.0


@dataclass
class Alert:
    kind: str  # spike | negative
    topic: str
    key: str  # what makes two alerts the same event: the day, or source:author:id
    subject: str
    text: str
    detail: dict[str, Any] = field(default_factory=dict)
    author_key: str | None = None  # source:author, for the negative-mention cooldown


@dataclass
class AlertReport:
    dry_run: bool = False
    sent: list[tuple[Alert, str]] = field(default_factory=list)
    held: list[tuple[Alert, str, str]] = field(default_factory=list)  # alert, channel, why
    would_send: list[tuple[Alert, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"sent ({channel}): {alert.subject}" for alert, channel in self.sent]
        out += [f"would send ({channel}): {alert.subject}" for alert, channel in self.would_send]
        out += [f"held back ({channel}, {why}): {alert.subject}" for alert, channel, why in self.held]
        if not out:
            out.append("no new alerts")
        return out


def _language(config: Config, topic: str) -> str:
    for digest in config.digests:
        if topic.casefold() in (name.casefold() for name in digest.topics):
            return digest.language
    return "en"


def spike_alerts(connection: Connection, config: Config, now: datetime) -> list[Alert]:
    """Spikes of any topic yesterday or today (so far)."""
    today = now.date()
    found = detect_spikes(connection, [t.name for t in config.topics],
                          days_between(today - timedelta(days=1), today))
    alerts = []
    for spike in found:
        lang = _language(config, spike.topic)
        values = {"topic": spike.topic, "observed": i18n.format_number(spike.observed, lang),
                  "day": i18n.format_date(spike.day, lang),
                  "baseline": i18n.format_number(spike.baseline, lang, 1),
                  "threshold": i18n.format_number(spike.threshold, lang, 1)}
        lines = [i18n.t(lang, "alert_spike_body", **values), "",
                 i18n.t(lang, "posts_behind") + i18n.COLON[lang]]
        for post in spike.top_posts:
            lines += _post_lines(post, lang)
        alerts.append(Alert(
            kind=SPIKE, topic=spike.topic, key=spike.day.isoformat(),
            subject=clean(i18n.t(lang, "alert_spike_subject", **values), 200),
            text="\n".join(lines) + "\n",
            detail={"observed": spike.observed, "baseline": spike.baseline,
                    "threshold": spike.threshold, "mad": spike.mad, "day": spike.day.isoformat(),
                    "posts": [p.get("mention_id") for p in spike.top_posts]}))
    return alerts


def negative_alerts(connection: Connection, config: Config, now: datetime) -> list[Alert]:
    """Negative mentions from authors with at least ``negative_min_followers`` in the last 24 h."""
    query = (
        select(topics.c.name.label("topic"), mentions.c.id, mentions.c.source, mentions.c.external_id,
               mentions.c.author, mentions.c.author_followers, mentions.c.text, mentions.c.url,
               mentions.c.created_at, scores.c.compound)
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .join(scores, scores.c.mention_id == matches.c.mention_id)
                     .join(topics, topics.c.id == matches.c.topic_id))
        .where(matches.c.created_at >= now - NEGATIVE_WINDOW, matches.c.created_at <= now,
               scores.c.label == "negative", mentions.c.is_repost.is_(False),
               mentions.c.author_followers >= config.alerts.negative_min_followers,
               topics.c.name.in_([t.name for t in config.topics]))
        .order_by(mentions.c.author_followers.desc(), mentions.c.id)
    )
    alerts = []
    for row in connection.execute(query):
        lang = _language(config, row.topic)
        source = SOURCE_NAMES.get(row.source, row.source)
        values = {"topic": row.topic, "author": clean(row.author, 80) or "?", "source": source,
                  "followers": i18n.format_number(row.author_followers, lang)}
        text = "\n".join([i18n.t(lang, "alert_negative_body", **values), "",
                          *_post_lines(row._mapping, lang)]) + "\n"
        alerts.append(Alert(
            kind=NEGATIVE, topic=row.topic, key=f"{row.source}:{row.external_id}"[:255],
            subject=clean(i18n.t(lang, "alert_negative_subject", **values), 200), text=text,
            detail={"mention_id": row.id, "followers": row.author_followers,
                    "compound": row.compound},
            author_key=f"{row.source}:{row.author}"))
    return alerts


def _post_lines(post: Any, lang: str) -> list[str]:
    lines = [f"  « {clean(post.get('text'), 500)} »"]
    meta = [clean(post.get("author"), 80), SOURCE_NAMES.get(post.get("source"), post.get("source"))]
    if post.get("created_at"):
        meta.append(i18n.format_datetime(post["created_at"], lang))
    lines.append("    " + " · ".join(m for m in meta if m))
    if safe_url(post.get("url")):
        lines.append(f"    {safe_url(post.get('url'))}")
    return lines


# -- limits ----------------------------------------------------------------------------------

def _already_sent(connection: Connection, alert: Alert, channel: str) -> bool:
    return connection.execute(select(func.count()).select_from(alerts_sent).where(
        alerts_sent.c.kind == alert.kind, alerts_sent.c.topic == alert.topic,
        alerts_sent.c.key == alert.key, alerts_sent.c.channel == channel)).scalar_one() > 0


def _cooling_down(connection: Connection, alert: Alert, channel: str, now: datetime,
                  hours: int) -> bool:
    conditions = [alerts_sent.c.kind == alert.kind, alerts_sent.c.topic == alert.topic,
                  alerts_sent.c.channel == channel,
                  alerts_sent.c.sent_at > now - timedelta(hours=hours)]
    rows = connection.execute(select(alerts_sent.c.detail).where(and_(*conditions))).all()
    if alert.kind != NEGATIVE:
        return bool(rows)
    return any((detail or {}).get("author_key") == alert.author_key for (detail,) in rows)


def _sent_last_day(connection: Connection, channel: str, now: datetime) -> int:
    return connection.execute(select(func.count()).select_from(alerts_sent).where(
        alerts_sent.c.channel == channel,
        alerts_sent.c.sent_at > now - timedelta(hours=24))).scalar_one()


def _record(connection: Connection, alert: Alert, channel: str, now: datetime) -> None:
    detail = {**alert.detail, "author_key": alert.author_key, "subject": alert.subject}
    connection.execute(
        insert(connection, alerts_sent).on_conflict_do_nothing(
            index_elements=["kind", "topic", "key", "channel"]),
        [{"kind": alert.kind, "topic": alert.topic, "key": alert.key, "channel": channel,
          "sent_at": now, "detail": json.loads(json.dumps(detail, default=str))}])


# -- delivery --------------------------------------------------------------------------------

def webhook_payload(alert: Alert) -> dict[str, Any]:
    """Slack-compatible (also accepted by Mattermost, Rocket.Chat, Discord's /slack endpoint)."""
    return {"text": f"*{alert.subject}*\n{alert.text}"}


def post_webhook(session: requests.Session, url: str, alert: Alert) -> None:
    try:
        response = session.post(url, json=webhook_payload(alert), timeout=WEBHOOK_TIMEOUT)
    except requests.RequestException as error:  # its message holds the URL: never show it
        raise DeliveryError(f"webhook: request failed ({type(error).__name__})") from None
    if response.status_code >= 300:
        raise DeliveryError(f"webhook: the server answered HTTP {response.status_code}")


def _email(config: Config, alert: Alert, now: datetime, lang: str):
    return build_message(subject=alert.subject, text=alert.text, sender=config.smtp.sender,
                         recipients=config.alerts.recipients, language=lang, date=aware_utc(now))


def run_alerts(
    engine: Engine,
    config: Config,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    mailer: Mailer | None = None,
    session: requests.Session | None = None,
) -> AlertReport:
    """Find alerts, apply once-only, cooldown and daily cap per channel, send and record."""
    now = now or utcnow()
    settings = config.alerts
    report = AlertReport(dry_run=dry_run)
    channels = (["email"] if settings.recipients else []) + (
        ["webhook"] if settings.webhook_url is not None else [])
    with engine.connect() as connection:
        found = spike_alerts(connection, config, now) + negative_alerts(connection, config, now)
    todo: dict[str, list[Alert]] = {channel: [] for channel in channels}
    with engine.connect() as connection:
        for channel in channels:
            budget = settings.daily_cap - _sent_last_day(connection, channel, now)
            for alert in found:
                if _already_sent(connection, alert, channel):
                    continue
                if _cooling_down(connection, alert, channel, now, settings.cooldown_hours) or any(
                        _same_event_family(alert, other) for other in todo[channel]):
                    report.held.append((alert, channel, f"cooldown {settings.cooldown_hours} h"))
                elif budget <= 0:
                    report.held.append((alert, channel, f"daily cap {settings.daily_cap}"))
                else:
                    budget -= 1
                    todo[channel].append(alert)
    if dry_run:
        report.would_send = [(a, c) for c, alerts in todo.items() for a in alerts]
        return report
    if todo.get("email"):
        _send_emails(engine, config, todo["email"], report, now, mailer)
    if todo.get("webhook"):
        url = settings.webhook_url.get_secret_value() if settings.webhook_url else ""
        session = session or requests.Session()
        for alert in todo["webhook"]:
            _deliver_one(engine, report, alert, "webhook", now,
                         partial(post_webhook, session, url, alert))
    return report


def _deliver_one(engine: Engine, report: AlertReport, alert: Alert, channel: str, now: datetime,
                 send: Callable[[], None]) -> None:
    """Send one alert; record it only once delivered, so a failure is retried next run."""
    try:
        send()
    except DeliveryError as error:
        report.errors.append(f"{alert.subject}: {error}")
        return
    with engine.begin() as connection:
        _record(connection, alert, channel, now)
    report.sent.append((alert, channel))


def _same_event_family(alert: Alert, other: Alert) -> bool:
    """Two alerts of one run that the cooldown would have merged had the first been sent."""
    if alert.kind != other.kind or alert.topic != other.topic:
        return False
    return alert.kind != NEGATIVE or alert.author_key == other.author_key


def _send_emails(engine: Engine, config: Config, alerts: list[Alert], report: AlertReport,
                 now: datetime, mailer: Mailer | None) -> None:
    mailer = mailer or Mailer(smtp_settings(config.smtp))

    def send_one(alert: Alert) -> None:
        message = _email(config, alert, now, _language(config, alert.topic))
        _deliver_one(engine, report, alert, "email", now, partial(mailer.send, message))

    unreachable: list[str] = []
    send_each(mailer, alerts, send_one, lambda _alert, error: unreachable.append(str(error)))
    report.errors += unreachable[:1]  # one line for the server, not one per alert
