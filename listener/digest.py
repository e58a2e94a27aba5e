"""The weekly digest: build it from the analysis API, write it to files, send it once.

Entry points (the CLI and ``listener demo`` call these)::

    build_digest(connection, config, digest_config, period, now=None) -> reports.model.Digest
    write_digests(engine, config, period, out_dir, names=None, now=None) -> list[Path]
    send_digests(engine, config, period, archive_dir, names=None, dry_run=False, ...) -> SendReport

Scope: a digest only ever queries its own ``topics`` (docs/architecture.md; tested).

Delivery ledger (``digests_sent``, one row per digest, recipient and ISO week):
``sent`` is never sent again; ``failed`` is retried on the next run, with
``attempts`` and ``last_error`` kept; ``sending`` is written just before the SMTP
transaction, so a crash in the middle leaves a row that is reported and not
resent (never twice) rather than silently repeated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import escape
from sqlalchemy import Connection, Engine, func, insert, select, update

from listener.analysis import conversations
from listener.analysis.influencers import Floor, top_influencers
from listener.analysis.period import Period
from listener.analysis.terms import emerging_terms, query_words
from listener.analysis.trends import daily_series, top_mentions
from listener.analysis.weekly import topic_weeks
from listener.config import Config, DigestConfig, SmtpConfig
from listener.paths import inside
from reports import email as email_module
from reports import model
from reports.render import SOURCE_NAMES, Rendered, render
from reports.smtp import DeliveryError, Mailer, SmtpSettings
from storage.schema import connector_runs, digests_sent, matches, scores
from storage.times import utcnow

TOP_POSTS = 3
TERMS = 8
INFLUENCERS = 5
SILENT_AFTER = timedelta(hours=48)  # a source with no data for this long is reported silent


# -- building the model ----------------------------------------------------------------------

def build_digest(connection: Connection, config: Config, digest: DigestConfig, period: Period,
                 *, now: datetime | None = None) -> model.Digest:
    """Everything one ``[[digests]]`` entry shows for ``period``, from its own topics only."""
    now = now or utcnow()
    names = [config.topic(name).name for name in digest.topics]
    figures = topic_weeks(connection, names, period, spike_posts=TOP_POSTS,
                          themes=[(t.name, t.query) for t in config.themes])
    voiced_names = [f.topic for f in figures if f.kind in ("brand", "competitor")]
    lead = _lead_topics(figures)
    floor = Floor(digest.influencer_top_share, digest.influencer_min_mentions,
                  digest.influencer_min_followers)
    return model.Digest(
        name=digest.name,
        language=digest.language,
        period_label=period.label,
        start=period.start.date(),
        end=(period.end - timedelta(days=1)).date(),
        generated_at=now,
        brands=tuple(f.topic for f in figures if f.kind == "brand"),
        competitors=tuple(f.topic for f in figures if f.kind == "competitor"),
        figures=figures,
        top_positive=[_post(m) for m in _top(connection, lead, period, "positive")],
        top_negative=[_post(m) for m in _top(connection, lead, period, "negative")],
        emerging_terms=_terms(connection, lead, period, voiced_names),
        conversations=_conversations(connection, lead, period, now, digest.answer_limit),
        influencers=top_influencers(connection, names, period, limit=INFLUENCERS, floor=floor),
        influencer_floor=floor,
        spikes=[_spike(s) for f in figures for s in f.spikes],
        sources=source_health(connection, config, now),
        unscored_by_language=unscored_by_language(connection, names, period),
        daily_volume=_daily(connection, voiced_names, period),
    )


def _post(item: dict[str, Any], topics: Sequence[str] = ()) -> model.Post:
    text = item.get("text") or ""
    title = item.get("title")
    if title and title not in text:
        text = f"{title} — {text}" if text else title
    return model.Post(
        source=SOURCE_NAMES.get(item.get("source") or "", item.get("source") or ""),
        author=item.get("author"), text=text, url=item.get("url"),
        created_at=item.get("created_at"), topics=tuple(item.get("topics") or topics),
        compound=item.get("compound"), followers=item.get("followers"),
        engagement=item.get("engagement"), copies=int(item.get("copies") or 1))


def _top(connection: Connection, names: list[str], period: Period, label: str) -> list[dict]:
    return top_mentions(connection, names, period, label=label, limit=TOP_POSTS)


def _spike(spike: Any) -> model.Spike:
    return model.Spike(topic=spike.topic, day=spike.day, observed=spike.observed,
                       baseline=spike.baseline, threshold=spike.threshold, mad=spike.mad,
                       posts=tuple(_post(p, (spike.topic,)) for p in spike.top_posts))


def _daily(connection: Connection, names: list[str], period: Period) -> dict[str, list[int]]:
    if not names:
        return {}
    frame = daily_series(connection, names, period)
    return {name: [int(v) for v in frame.loc[frame["topic"] == name, "volume"]] for name in names}


def _lead_topics(figures: list[Any]) -> list[str]:
    """The topics "what people say" is about: the brands, else every topic of the digest."""
    return [f.topic for f in figures if f.kind == "brand"] or [f.topic for f in figures]


def _terms(connection: Connection, names: list[str], period: Period,
           brands: list[str]) -> list[model.Term]:
    """Emerging terms of the lead topics; no brand or competitor name is a term."""
    from listener.analysis.common import resolve_topics

    exclude = query_words(row.query for row in resolve_topics(connection, brands))
    best: dict[str, Any] = {}
    for name in names:
        for term in emerging_terms(connection, name, period, limit=TERMS, exclude=exclude):
            if term.term not in best or term.score > best[term.term].score:
                best[term.term] = term
    ranked = sorted(best.values(), key=lambda t: (-t.score, t.term))[:TERMS]
    return [model.Term(t.term, t.count, t.previous_count,
                       model.Post(source="", author=None, text=t.example, url=t.example_url,
                                  created_at=None) if t.example else None)
            for t in ranked]


def _conversations(connection: Connection, names: list[str], period: Period, now: datetime,
                   limit: int) -> list[model.Conversation]:
    """The triage list as of the digest: the days before it is made (or before the period ends)."""
    until = min(now.replace(tzinfo=None), period.end)
    found = conversations.to_answer(connection, names, period.start, until=until, limit=limit)
    return [model.Conversation(
        post=model.Post(source=SOURCE_NAMES.get(c.source, c.source), author=c.author, text=c.text,
                        url=c.url, created_at=c.created_at, compound=c.compound,
                        followers=c.followers, topics=tuple(c.topics or ()), copies=c.copies,
                        engagement=c.engagement),
        reasons=c.reasons, priority=c.priority) for c in found]


def unscored_by_language(connection: Connection, names: list[str], period: Period) -> dict[str, int]:
    """Mentions of the topics in ``period`` left unscored, per language ("" when unknown)."""
    from listener.analysis.common import resolve_topics

    ids = [r.id for r in resolve_topics(connection, names)]
    query = (select(scores.c.lang, func.count(func.distinct(matches.c.mention_id)))
             .select_from(matches.join(scores, scores.c.mention_id == matches.c.mention_id))
             .where(matches.c.topic_id.in_(ids), scores.c.label == "unscored",
                    matches.c.created_at >= period.start, matches.c.created_at < period.end)
             .group_by(scores.c.lang))
    return {lang or "": int(count) for lang, count in connection.execute(query)}


def source_health(connection: Connection, config: Config, now: datetime) -> list[model.SourceHealth]:
    """One line per connector: the last run's status and error, and when data last came in."""
    latest = (select(connector_runs.c.connector, func.max(connector_runs.c.id).label("id"))
              .group_by(connector_runs.c.connector).subquery())
    last_runs = {row.connector: row for row in connection.execute(
        select(connector_runs).join(latest, connector_runs.c.id == latest.c.id))}
    last_data = dict(connection.execute(
        select(connector_runs.c.connector,
               func.max(func.coalesce(connector_runs.c.finished_at, connector_runs.c.started_at)))
        .where(connector_runs.c.fetched > 0, connector_runs.c.status != "failed")
        .group_by(connector_runs.c.connector)).all())
    names = sorted(set(last_runs) | set(config.connectors))
    health = []
    for name in names:
        run = last_runs.get(name)
        data_at = last_data.get(name)
        if run is None:
            status, error = "silent", None
        elif run.status == "failed":
            status, error = "failing", run.error
        elif data_at is None or now - data_at > SILENT_AFTER:
            status, error = "silent", run.error
        else:
            status, error = "ok", run.error if run.status == "partial" else None
        health.append(model.SourceHealth(
            source=SOURCE_NAMES.get(name, name), status=status, last_data=data_at,
            error=(error or "").strip()[:200] or None,
            fetched=int(run.fetched) if run else 0, new=int(run.new) if run else 0))
    return health


# -- rendering and files ---------------------------------------------------------------------

@dataclass
class Built:
    config: DigestConfig
    digest: model.Digest
    rendered: Rendered

    def message(self, sender: str, recipients: Sequence[str], now: datetime,
                msgid: str | None = None):
        return email_module.build_message(
            subject=self.rendered.subject, text=self.rendered.text, html=self.rendered.html,
            charts=self.rendered.charts, sender=sender, recipients=recipients,
            language=self.digest.language, date=aware_utc(now),
            msgid=msgid,
            headers={"X-Listener-Digest": f"{self.digest.name}; {self.digest.period_label}"})


def aware_utc(moment: datetime) -> datetime:
    """Naive UTC (as stored) made explicit for mail headers."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select_digests(config: Config, names: Sequence[str] | None) -> list[DigestConfig]:
    """The ``[[digests]]`` entries to run; ``KeyError`` naming the unknown ones."""
    if not names:
        return list(config.digests)
    wanted = {name.casefold() for name in names}
    chosen = [d for d in config.digests if d.name.casefold() in wanted]
    missing = wanted - {d.name.casefold() for d in chosen}
    if missing:
        known = ", ".join(d.name for d in config.digests) or "none configured"
        raise KeyError(f"unknown digest(s): {', '.join(sorted(missing))} (configured: {known})")
    return chosen


def build_all(engine: Engine, config: Config, period: Period, *, names: Sequence[str] | None = None,
              now: datetime | None = None) -> list[Built]:
    now = now or utcnow()
    built = []
    with engine.connect() as connection:
        for entry in select_digests(config, names):
            digest = build_digest(connection, config, entry, period, now=now)
            built.append(Built(entry, digest, render(digest)))
    return built


def write_digests(engine: Engine, config: Config, period: Period, out_dir: Path, *,
                  names: Sequence[str] | None = None, now: datetime | None = None) -> list[Path]:
    """Write ``<name>.html``, ``<name>.txt`` and ``<name>.eml`` per digest; the paths written.

    The .html file shows the charts as files next to it (``<name>-volume.png``…), so it
    opens in a browser; the .eml is exactly what would be sent to all recipients.
    """
    now = now or utcnow()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for item in build_all(engine, config, period, names=names, now=now):
        name = item.digest.name
        images = {chart.cid: f"{name}-{chart.filename}" for chart in item.rendered.charts}
        for chart in item.rendered.charts:
            inside(out_dir, images[chart.cid]).write_bytes(chart.png)
        browser_html = _with_image_files(item, images)
        files = {
            inside(out_dir, f"{name}.html"): browser_html.encode("utf-8"),
            inside(out_dir, f"{name}.txt"): item.rendered.text.encode("utf-8"),
            inside(out_dir, f"{name}.eml"): bytes(item.message(config.smtp.sender, item.config.recipients, now)),
        }
        for path, content in files.items():
            path.write_bytes(content)
            paths.append(path)
    return paths


def _with_image_files(item: Built, images: dict[str, str]) -> str:
    """The rendered HTML with its ``cid:`` images pointing at the chart files instead.

    Reuses the one rendering (charts are the costly part) rather than rendering again;
    falls back to a second rendering if a chart's ``<img src="cid:…">`` is not found.
    """
    html = item.rendered.html
    for cid, filename in images.items():
        cid_src, file_src = f'src="{escape("cid:" + cid)}"', f'src="{escape(filename)}"'
        if cid_src not in html:
            return render(item.digest, image_src=images).html
        html = html.replace(cid_src, file_src)
    return html


# -- sending ---------------------------------------------------------------------------------

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


def smtp_settings(smtp: SmtpConfig) -> SmtpSettings:
    return SmtpSettings(host=smtp.host, port=smtp.effective_port, security=smtp.security,
                        username=smtp.username,
                        password=smtp.password.get_secret_value() if smtp.password else None,
                        timeout=smtp.timeout)


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
) -> SendReport:
    """Send each digest to each recipient at most once per period (see the module docstring).

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
    todo = [e for e in entries if any(ledger[(e.name, r)] is None or ledger[(e.name, r)].status
                                      == "failed" for r in e.recipients)]
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
            elif row is not None and row.status == "sending":
                report.deliveries.append(Delivery(
                    entry.name, recipient, "uncertain", attempts,
                    error="a previous run stopped while sending; not resent to avoid a duplicate "
                          "(check the recipient's mailbox, then delete the digests_sent row to resend)"))
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
    try:
        mailer.open()
    except DeliveryError as error:
        for item, recipient, attempts in pending:
            _record(engine, item.config.name, recipient, period.label, status="failed",
                    attempts=attempts + 1, last_error=str(error))
            report.deliveries.append(Delivery(item.config.name, recipient, "failed", attempts + 1,
                                              error=str(error)))
        return
    try:
        for item, recipient, attempts in pending:
            name = item.config.name
            msgid = email_module.message_id(config.smtp.sender.rpartition("@")[2] or None)
            message = item.message(config.smtp.sender, [recipient], now, msgid=msgid)
            # where its copy goes, checked before sending (a refused path must not follow a send)
            folder = inside(archive_dir, period.label, _safe_filename(name))
            path = inside(folder, f"{_safe_filename(recipient)}.eml")
            _record(engine, name, recipient, period.label, status="sending", attempts=attempts + 1,
                    message_id=msgid)
            try:
                mailer.send(message)
            except DeliveryError as error:
                _record(engine, name, recipient, period.label, status="failed", last_error=str(error))
                report.deliveries.append(Delivery(name, recipient, "failed", attempts + 1,
                                                  error=str(error), message_id=msgid))
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(message))
            _record(engine, name, recipient, period.label, status="sent", last_error=None,
                    sent_at=utcnow(), archive_path=str(path))
            report.deliveries.append(Delivery(name, recipient, "sent", attempts + 1,
                                              archive_path=str(path), message_id=msgid))
    finally:
        mailer.close()
