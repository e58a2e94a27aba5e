"""The weekly digest end to end: rows in a tmp SQLite, a real SMTP server on loopback."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from listener.analysis.period import iso_week
from listener.config import validate
from listener.digest import build_digest, send_digests, write_digests
from storage import db
from storage.schema import connector_runs, digests_sent, matches, mentions, runs, scores, topics

WEEK = iso_week("2026-W47")  # Mon 16 – Sun 22 Nov 2026
NOW = datetime(2026, 11, 23, 8, 0)  # the Monday after
HOSTILE = ("<script>alert('x')</script> <img src=x onerror=alert(1)> \u202eevil\u202c עברית "
           "zero\u200bwidth 😀👍🏽 \uff9e\uff9e\uff9e " + "W" * 3000)
ZETA_SECRET = "ZETA-ONLY-SECRET launch"


def make_config(tmp_path: Path, port: int = 25, **smtp):
    return validate({
        "storage": {"url": f"sqlite:///{tmp_path / 't.db'}"},
        "topics": [
            {"name": "Acme", "kind": "brand", "query": "acme"},
            {"name": "Rival", "kind": "competitor", "query": "rival"},
            {"name": "Coffee", "kind": "industry", "query": "coffee"},
            {"name": "Zeta", "kind": "brand", "query": "zeta"},
        ],
        "digests": [
            {"name": "acme-weekly", "recipients": ["boss@example.com", "cmo@example.com"],
             "topics": ["Acme", "Rival", "Coffee"], "language": "en"},
            {"name": "zeta-hebdo", "recipients": ["dirigeant@example.fr"], "topics": ["Zeta"],
             "language": "fr"},
        ],
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                 "sender": "listener@example.com", **smtp},
    })


class Rows:
    def __init__(self, engine):
        self.engine = engine
        self.n = 0
        with engine.begin() as c:
            for name, kind in (("Acme", "brand"), ("Rival", "competitor"), ("Coffee", "industry"),
                               ("Zeta", "brand")):
                query = "acme OR @acmecoffee" if name == "Acme" else name.lower()
                c.execute(insert(topics).values(name=name, kind=kind, query=query))
            self.ids = {name: id_ for id_, name in c.execute(select(topics.c.id, topics.c.name))}

    def add(self, *args, **kwargs):
        with self.engine.begin() as c:
            self.add_in(c, *args, **kwargs)

    def add_in(self, c, when, text, topic_names, label="neutral", compound=0.0, author="someone",
            followers=100, source="x", lang="en", url=None):
        self.n += 1
        mention_id = c.execute(insert(mentions).values(
            source=source, external_id=str(self.n), created_at=when, collected_at=when,
            author=author, author_followers=followers, text=text, url=url or f"https://x.example/{self.n}",
            lang=lang, likes=1, reposts=0, replies=0, is_repost=False, is_reply=False,
            text_hash=hashlib.md5(f"{text}{self.n}".encode()).hexdigest())).inserted_primary_key[0]
        for name in topic_names:
            c.execute(insert(matches).values(topic_id=self.ids[name], mention_id=mention_id,
                                             created_at=when))
        c.execute(insert(scores).values(
            mention_id=mention_id, lang=lang, label=label,
            compound=None if label == "unscored" else compound, scorer="test", scored_at=when))


@pytest.fixture
def engine(tmp_path):
    engine = db.create(f"sqlite:///{tmp_path / 't.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def data(engine):
    rows = Rows(engine)
    monday = WEEK.start
    # three quiet weeks of history: 2 Acme mentions a day
    with engine.begin() as c:
        for day in range(1, 22):
            for i in range(2):
                rows.add_in(c, monday - timedelta(days=day, hours=-10 - i), "acme is fine", ["Acme"])
    # last week (W46) also had 3 Rival mentions
    for i in range(3):
        rows.add(monday - timedelta(days=3, hours=-12 - i), "rival ok", ["Rival"])
    # this week
    rows.add(monday + timedelta(days=1, hours=9), "I love acme coffee, best roast", ["Acme", "Coffee"],
             "positive", 0.9, author="fan", followers=50_000)
    rows.add(monday + timedelta(days=1, hours=10), HOSTILE, ["Acme"], "positive", 0.7,
             author="<b>mallory</b>", followers=20_000)
    rows.add(monday + timedelta(days=2, hours=9), "acme lost my order, terrible", ["Acme"],
             "negative", -0.8, author="angry", followers=80_000)
    rows.add(monday + timedelta(days=2, hours=11), "acme ist schlecht", ["Acme"], "unscored",
             lang="de")
    for i in range(14):  # a spike on Thursday
        rows.add(monday + timedelta(days=3, hours=8, minutes=i), f"acme outage {i}", ["Acme"],
                 "negative", -0.3, author=f"user{i}")
    for i in range(4):
        rows.add(monday + timedelta(days=4, hours=9 + i), "rival is great", ["Rival"], "positive", 0.6)
    rows.add(monday + timedelta(days=6, hours=20), "@acmecoffee when do you open on sunday?", ["Acme"],
             author="curious", followers=10)
    for i in range(3):
        rows.add(monday + timedelta(days=5, hours=9 + i), f"{ZETA_SECRET} {i}", ["Zeta"],
                 "positive", 0.5, author="zeta_insider")
    with engine.begin() as c:
        run_id = c.execute(insert(runs).values(command="collect", started_at=NOW, status="partial")
                           ).inserted_primary_key[0]
        c.execute(insert(connector_runs), [
            dict(run_id=run_id, connector="reddit", started_at=datetime(2026, 11, 17, 6),
                 finished_at=datetime(2026, 11, 17, 6, 1), status="ok", fetched=12, new=12, error=None),
            dict(run_id=run_id, connector="reddit", started_at=datetime(2026, 11, 23, 6),
                 finished_at=datetime(2026, 11, 23, 6, 1), status="failed", fetched=0, new=0,
                 error="credentials rejected"),
            dict(run_id=run_id, connector="x", started_at=datetime(2026, 11, 23, 6),
                 finished_at=datetime(2026, 11, 23, 6, 2), status="ok", fetched=40, new=30, error=None),
        ])
    return rows


def build(engine, config, name):
    entry = next(d for d in config.digests if d.name == name)
    with engine.connect() as connection:
        return build_digest(connection, config, entry, WEEK, now=NOW)


def test_a_digest_read_half_in_a_forked_child_is_the_digest_read_on_one_connection(
        engine, data, tmp_path, monkeypatch, forking):
    import os

    from listener.config import ThemeConfig
    from listener.digest import build as digest_build

    outages = ThemeConfig(name="Outages", query="outage* OR down")
    config = make_config(tmp_path).model_copy(update={"themes": [outages]})
    readers = tmp_path / "readers"
    influencers = digest_build.top_influencers

    def noted(*args, **kwargs):  # an IN_CHILD read: note the process that ran it
        with readers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return influencers(*args, **kwargs)

    monkeypatch.setattr(digest_build, "top_influencers", noted)
    digests = {}
    for entry in config.digests:
        digests[entry.name] = digest_build.build_digest_on_both_cores(engine, config, entry, WEEK, now=NOW)
        assert digests[entry.name] == build(engine, config, entry.name)
    me = str(os.getpid())
    # per digest: the forked child's read, then build()'s in this process
    assert [pid == me for pid in readers.read_text().split()] == [False, True, False, True]
    (acme,) = (f for f in digests["acme-weekly"].figures if f.topic == "Acme")
    assert acme.themes[0].theme == "Outages" and acme.themes[0].negative_stories == 14


def test_a_digest_of_an_in_memory_database_is_read_in_this_process_where_the_data_is(tmp_path, forking):
    from listener.digest.build import build_digest_on_both_cores

    engine = db.create("sqlite://")
    try:
        rows = Rows(engine)
        rows.add(WEEK.start + timedelta(days=1), "acme is great", ["Acme"], "positive", 0.8)
        config = make_config(tmp_path)
        entry = config.digests[0]
        digest = build_digest_on_both_cores(engine, config, entry, WEEK, now=NOW)
        with engine.connect() as connection:
            assert digest == build_digest(connection, config, entry, WEEK, now=NOW)
        assert digest.headline[0].mentions == 1  # a child would have opened an empty database
    finally:
        engine.dispose()


def test_headline_figures_come_with_their_counts(engine, data, tmp_path):
    digest = build(engine, make_config(tmp_path), "acme-weekly")
    (h,) = digest.headline
    assert (h.topic, h.stories, h.mentions, h.previous.stories) == ("Acme", 19, 19, 14)
    assert (h.sentiment.positive, h.sentiment.negative, h.sentiment.unscored) == (2, 15, 1)
    assert h.voice_total == 23 and h.previous.voice_total == 17
    assert h.share_of_voice == pytest.approx(19 / 23)
    assert [r.topic for r in digest.comparison] == ["Acme", "Rival"]
    assert [r.topic for r in digest.industry] == ["Coffee"]
    assert digest.daily_volume["Acme"] == [0, 2, 2, 14, 0, 0, 1]
    assert digest.unscored_by_language == {"de": 1}
    (spike,) = digest.spikes
    assert (spike.topic, spike.day.isoformat(), spike.observed) == ("Acme", "2026-11-19", 14)
    assert spike.posts
    assert digest.top_negative[0].author == "angry"
    assert any(c.post.author == "curious" for c in digest.conversations)


def test_most_negative_posts_say_which_words_pulled_them_down(engine, data, tmp_path):
    digest = build(engine, make_config(tmp_path), "acme-weekly")
    angry = digest.top_negative[0]
    assert angry.author == "angry" and "terrible" in angry.why
    assert "acme" not in angry.why  # the brand is masked: never a reason
    assert all(not post.why for post in digest.top_positive)


def test_source_health_names_the_silent_source_and_why(engine, data, tmp_path):
    digest = build(engine, make_config(tmp_path), "acme-weekly")
    reddit = next(s for s in digest.sources if s.source == "Reddit")
    assert reddit.status == "failing" and reddit.error == "credentials rejected"
    from reports.render import render

    text = render(digest).text
    assert "Reddit: no data since Tuesday — credentials rejected" in text
    assert "X: OK, 30 new mentions" in text


def test_write_digests_writes_html_text_and_eml_per_digest(engine, data, tmp_path):
    out = tmp_path / "out"
    paths = write_digests(engine, make_config(tmp_path), WEEK, out, now=NOW)
    names = sorted(p.name for p in paths)
    assert names == ["acme-weekly.eml", "acme-weekly.html", "acme-weekly.txt",
                     "zeta-hebdo.eml", "zeta-hebdo.html", "zeta-hebdo.txt"]
    html = (out / "acme-weekly.html").read_text(encoding="utf-8")
    assert 'src="acme-weekly-volume.png"' in html and (out / "acme-weekly-volume.png").exists()
    message = message_from_bytes((out / "zeta-hebdo.eml").read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("zeta-hebdo : votre semaine 2026-W47")
    assert "Synthèse hebdomadaire" in message.get_body(("plain",)).get_content()


def test_a_recipient_never_receives_another_digests_topics_or_mentions(engine, data, tmp_path,
                                                                         smtp_server):
    sink, port = smtp_server
    report = send_digests(engine, make_config(tmp_path, port), WEEK, archive_dir=tmp_path / "a",
                          now=NOW)
    assert report.count("sent") == 3
    by_recipient = {e.rcpt_tos[0]: e.content.decode("ascii") for e in sink.envelopes}
    decoded = {rcpt: _all_text(message_from_bytes(raw.encode(), policy=policy.default))
               for rcpt, raw in by_recipient.items()}
    for rcpt in ("boss@example.com", "cmo@example.com"):
        assert "ZETA-ONLY-SECRET" not in decoded[rcpt] and "zeta_insider" not in decoded[rcpt]
        assert "Zeta" not in decoded[rcpt]
        assert "angry" in decoded[rcpt]
    zeta = decoded["dirigeant@example.fr"]
    assert "ZETA-ONLY-SECRET" in zeta
    for foreign in ("Acme", "Rival", "Coffee", "angry", "mallory", "acme"):
        assert foreign not in zeta


def _all_text(message) -> str:
    return "\n".join(part.get_content() for part in message.walk()
                     if part.get_content_maintype() == "text") + message["Subject"]


def test_sent_message_structure_headers_and_inline_images(engine, data, tmp_path, smtp_server):
    sink, port = smtp_server
    send_digests(engine, make_config(tmp_path, port), WEEK, archive_dir=tmp_path / "a", now=NOW)
    messages = {m["To"]: m for m in sink.messages()}
    message = messages["dirigeant@example.fr"]
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()
    assert plain.get_content_type() == "text/plain" and plain.get_content_charset() == "utf-8"
    assert related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert images and all(i.get_content_type() == "image/png" for i in images)
    body = html.get_content()
    for image in images:
        cid = image["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in body
        assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    assert message["Subject"] == "zeta-hebdo : votre semaine 2026-W47 (16 nov. 2026 – 22 nov. 2026)"
    assert message["From"] == "listener@example.com"
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.com>")
    assert message["Date"] == "Mon, 23 Nov 2026 08:00:00 +0000"
    assert message["Content-Language"] == "fr"
    assert "Synthèse hebdomadaire de veille" in plain.get_content()
    raw = sink.envelopes[0].content
    assert all(byte < 128 for byte in raw)  # 7-bit transport: encoded words and QP/base64
    hostile_html = messages["boss@example.com"].get_body(("html",)).get_content()
    assert "&lt;script&gt;" in hostile_html and "<script" not in hostile_html
    assert "&lt;b&gt;mallory&lt;/b&gt;" in hostile_html


def test_rerun_does_not_resend_and_sent_mail_is_archived(engine, data, tmp_path, smtp_server):
    sink, port = smtp_server
    config = make_config(tmp_path, port)
    first = send_digests(engine, config, WEEK, archive_dir=tmp_path / "a", now=NOW)
    second = send_digests(engine, config, WEEK, archive_dir=tmp_path / "a", now=NOW)
    assert len(sink.envelopes) == 3
    assert second.count("skipped") == 3 and second.count("sent") == 0
    with engine.connect() as c:
        ledger = c.execute(select(digests_sent)).all()
    assert {(r.digest, r.recipient, r.period, r.status, r.attempts) for r in ledger} == {
        ("acme-weekly", "boss@example.com", "2026-W47", "sent", 1),
        ("acme-weekly", "cmo@example.com", "2026-W47", "sent", 1),
        ("zeta-hebdo", "dirigeant@example.fr", "2026-W47", "sent", 1)}
    for delivery in first.deliveries:
        archived = message_from_bytes(Path(delivery.archive_path).read_bytes(), policy=policy.default)
        assert archived["To"] == delivery.recipient
        assert archived["Message-ID"] == delivery.message_id


def test_refused_send_is_recorded_then_retried_once(engine, data, tmp_path, smtp_server):
    sink, port = smtp_server
    config = make_config(tmp_path, port)
    sink.refuse = "554 5.7.1 message refused by policy"
    failed = send_digests(engine, config, WEEK, archive_dir=tmp_path / "a", now=NOW)
    assert len(failed.failed) == 3 and not sink.envelopes
    assert "554 5.7.1 message refused by policy" in failed.failed[0].error
    with engine.connect() as c:
        rows = c.execute(select(digests_sent)).all()
    assert {(r.status, r.attempts) for r in rows} == {("failed", 1)}
    assert all("554" in r.last_error for r in rows)

    sink.refuse = None
    retried = send_digests(engine, config, WEEK, archive_dir=tmp_path / "a", now=NOW)
    assert retried.count("sent") == 3 and len(sink.envelopes) == 3
    again = send_digests(engine, config, WEEK, archive_dir=tmp_path / "a", now=NOW)
    assert again.count("skipped") == 3 and len(sink.envelopes) == 3
    with engine.connect() as c:
        rows = c.execute(select(digests_sent)).all()
    assert {(r.status, r.attempts, r.last_error) for r in rows} == {("sent", 2, None)}


def test_dry_run_sends_and_records_nothing(engine, data, tmp_path, smtp_server):
    sink, port = smtp_server
    report = send_digests(engine, make_config(tmp_path, port), WEEK, archive_dir=tmp_path / "a",
                          dry_run=True, now=NOW)
    assert report.count("dry-run") == 3 and not sink.envelopes
    with engine.connect() as c:
        assert c.execute(select(digests_sent)).all() == []


def _write_config(tmp_path: Path, port: int, password: str | None = None) -> Path:
    path = tmp_path / "listener.toml"
    smtp_auth = f'username = "u"\npassword = "{password}"\n' if password else ""
    path.write_text(f"""
[storage]
url = "sqlite:///{tmp_path / 't.db'}"

[[topics]]
name = "Acme"
kind = "brand"
query = "acme"

[[topics]]
name = "Rival"
kind = "competitor"
query = "rival"

[[topics]]
name = "Coffee"
kind = "industry"
query = "coffee"

[[topics]]
name = "Zeta"
kind = "brand"
query = "zeta"

[[digests]]
name = "acme-weekly"
recipients = ["boss@example.com"]
topics = ["Acme", "Rival", "Coffee"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "listener@example.com"
{smtp_auth}""", encoding="utf-8")
    return path


def test_cli_send_failure_exits_1_with_a_clear_message_and_retries_next_run(
        engine, data, tmp_path, smtp_server):
    from listener.cli import app

    sink, port = smtp_server
    config_path = _write_config(tmp_path, port)
    runner = CliRunner()
    args = ["--config", str(config_path), "digest", "--week", "2026-W47", "--send",
            "--archive", str(tmp_path / "archive")]
    sink.refuse = "554 5.7.1 no thanks"
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "acme-weekly → boss@example.com (2026-W47): failed" in result.stderr
    assert "554 5.7.1 no thanks" in result.stderr
    sink.refuse = None
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "sent" in result.stdout and len(sink.envelopes) == 1
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "already sent" in result.stdout and len(sink.envelopes) == 1


def test_cli_unreachable_server_never_shows_the_password(engine, data, tmp_path):
    import socket

    from listener.cli import app

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config_path = _write_config(tmp_path, port, password="hunter2-secret")
    result = CliRunner().invoke(app, ["--config", str(config_path), "digest", "--week", "2026-W47",
                                      "--send", "--archive", str(tmp_path / "archive")])
    assert result.exit_code == 1
    assert f"SMTP 127.0.0.1:{port} (none): connect failed: connection refused" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    with engine.connect() as c:
        (row,) = c.execute(select(digests_sent)).all()
    assert row.status == "failed" and "hunter2" not in row.last_error


def test_cli_out_and_usage_errors(engine, data, tmp_path):
    from listener.cli import app

    config_path = _write_config(tmp_path, 25)
    runner = CliRunner()
    result = runner.invoke(app, ["--config", str(config_path), "digest", "--week", "2026-W47",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "o" / "acme-weekly.html").exists()
    result = runner.invoke(app, ["--config", str(config_path), "digest", "--week", "2026-W99",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no ISO week 99" in result.stderr
    result = runner.invoke(app, ["--config", str(config_path), "digest", "--name", "nope",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "unknown digest(s): nope" in result.stderr
    result = runner.invoke(app, ["--config", str(config_path), "digest"])
    assert result.exit_code == 2 and "nothing to do" in result.stderr


def test_the_email_shows_exactly_the_figures_of_trends_json(engine, data, tmp_path):
    """The digest is rendered from the `trends --format json` records: no figure differs."""
    import json
    import re
    from html.parser import HTMLParser

    from listener.cli import app
    from listener.config import load
    from reports import i18n
    from reports.render import render

    path = _write_config(tmp_path, 25)
    path.write_text(path.read_text(encoding="utf-8") + """
[[themes]]
name = "Outages"
query = "outage* OR down"
""", encoding="utf-8")
    config = load(path)
    digest = build(engine, config, "acme-weekly")
    result = CliRunner().invoke(app, ["--config", str(path), "trends", "--format", "json",
                                      "--digest", "acme-weekly", "--week", "2026-W47"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records == [f.as_json() for f in digest.figures]
    assert [r["topic"] for r in records] == ["Acme", "Rival", "Coffee"]
    acme = records[0]
    assert acme["themes"][0]["theme"] == "Outages" and acme["themes"][0]["negative_stories"] == 14

    class Figures(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.open = [], None

        def handle_starttag(self, tag, attrs):
            key = dict(attrs).get("data-figure")
            if key:
                self.open = [key, ""]

        def handle_data(self, text):
            if self.open is not None:
                self.open[1] += text

        def handle_endtag(self, tag):
            if self.open is not None:
                self.found.append(tuple(self.open))
                self.open = None

    parser = Figures()
    parser.feed(render(digest).html)
    by_topic = {r["topic"]: r for r in records}

    def value(key: str):
        topic, *path = key.split(".")
        node = by_topic[topic]
        if path[0] == "themes":
            node = next(t for t in node["themes"] if t["theme"] == path[1])
            path = path[2:]
        for part in path:
            node = node[part]
        return path[-1], node

    def shown(field: str, figure) -> str:
        if field in ("share_of_voice", "share"):
            return i18n.format_percent(figure, "en")
        if field == "net_adjusted":
            return i18n.format_percent(figure, "en", signed=True)
        if field == "net_interval":
            return " … ".join(i18n.format_percent(v, "en", signed=True) for v in figure)
        if field == "mentions":
            return i18n.t("en", "mentions_short", count=i18n.format_number(figure, "en"))
        return i18n.format_number(figure, "en")

    assert len(parser.found) >= 12
    for key, text in parser.found:
        field, figure = value(key)
        assert re.sub(r"\s+", " ", text).strip() == shown(field, figure), key
