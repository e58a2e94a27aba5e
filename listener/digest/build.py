"""The digest of one ``[[digests]]`` entry and week, as plain data (``reports.model.Digest``).

The figures are the week records of ``listener trends --format json``
(:func:`listener.analysis.weekly.topic_weeks`); the lists (posts, terms, the triage
list, influencers) come from the analysis API beside them. No I/O but the queries.

The digest is a set of independent reads (:func:`digest_reads`, each a query or a few
on a connection of its own) assembled by :func:`digest_from`: on one connection in
:func:`build_digest`, or half of them in a forked child in
:func:`build_digest_on_both_cores`, which ``listener digest`` uses (a week of a large
history is more than a second of queries: see docs/architecture.md, "Both cores for a
digest").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from listener.ahead import beside
from listener.analysis import conversations
from listener.analysis.common import resolve_topics
from listener.analysis.influencers import Floor, top_influencers
from listener.analysis.period import Period
from listener.analysis.spikes import daily_counts
from listener.analysis.terms import emerging_terms, query_words
from listener.analysis.trends import top_mentions, unscored_by_language
from listener.analysis.weekly import Read, week_reads, weeks_from
from listener.config import Config, DigestConfig
from listener.digest.sources import source_health
from listener.sentiment.explain import explain_mentions
from reports import model
from reports.text import SOURCE_NAMES
from storage.times import utcnow

TOP_POSTS = 3
TERMS = 8
INFLUENCERS = 5
WHY_WORDS = 3  # words shown beside a "most negative" post: what pulled its score down


def build_digest(connection: Connection, config: Config, digest: DigestConfig, period: Period,
                 *, now: datetime | None = None) -> model.Digest:
    """Everything one ``[[digests]]`` entry shows for ``period``, from its own topics only."""
    now = now or utcnow()
    reads = digest_reads(config, digest, period, now=now)
    return digest_from(config, digest, period, {name: read(connection) for name, read in reads.items()},
                       now=now)


# The reads made by the child in build_digest_on_both_cores: about half of the time on a
# large history (bench/bench_digest.py), the rest stays in the parent.
IN_CHILD = ("previous", "influencers", "conversations", "top_positive", "spikes")


def build_digest_on_both_cores(engine: Engine, config: Config, digest: DigestConfig, period: Period,
                               *, now: datetime | None = None) -> model.Digest:
    """:func:`build_digest`, its reads split between this process and a forked child.

    The reads are independent queries (each its own statement, as on one connection:
    no read depends on another's snapshot), so they run on two connections side by side.
    """
    now = now or utcnow()
    if not _other_processes_see(engine):
        with engine.connect() as connection:
            return build_digest(connection, config, digest, period, now=now)
    reads = digest_reads(config, digest, period, now=now)

    def run(names: list[str]) -> Callable[[], dict[str, Any]]:
        def read_all() -> dict[str, Any]:
            with engine.connect() as connection:
                return {name: reads[name](connection) for name in names}
        return read_all

    ours, theirs = beside(run([name for name in reads if name not in IN_CHILD]),
                          run([name for name in reads if name in IN_CHILD]),
                          in_child=lambda: engine.dispose(close=False),  # connections of its own
                          name="listener-digest")
    return digest_from(config, digest, period, {**ours, **theirs}, now=now)


def _other_processes_see(engine: Engine) -> bool:
    """False for an in-memory SQLite database: a forked child's connection would open an empty one."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        return True
    return (url.database or ":memory:") != ":memory:" and url.query.get("mode") != "memory"


def digest_reads(config: Config, digest: DigestConfig, period: Period, *,
                 now: datetime) -> dict[str, Read]:
    """The independent reads of one digest, by name; each takes a connection."""
    names = list(dict.fromkeys(config.topic(name).name for name in digest.topics))
    kinds = {topic.name: topic.kind for topic in config.topics}
    voiced = [name for name in names if kinds[name] in ("brand", "competitor")]
    lead = [name for name in names if kinds[name] == "brand"] or names  # what "what people say" is about
    floor = _floor(digest)
    return {
        **week_reads(names, period, spike_posts=TOP_POSTS,
                     themes=[(t.name, t.query) for t in config.themes]),
        "top_positive": lambda c: [_post(m) for m in _top(c, lead, period, "positive")],
        "top_negative": lambda c: _explained(c, config, _top(c, lead, period, "negative")),
        "terms": lambda c: _terms(c, lead, period, voiced),
        "conversations": lambda c: _conversations(c, lead, period, now, digest.answer_limit),
        "influencers": lambda c: top_influencers(c, names, period, limit=INFLUENCERS, floor=floor),
        "sources": lambda c: source_health(c, config, now),
        "unscored": lambda c: unscored_by_language(c, names, period),
        "daily": lambda c: _daily(c, voiced, period),
    }


def digest_from(config: Config, digest: DigestConfig, period: Period, read: dict[str, Any], *,
                now: datetime) -> model.Digest:
    """The digest from the results of its :func:`digest_reads`."""
    figures = weeks_from(read)
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
        top_positive=read["top_positive"],
        top_negative=read["top_negative"],
        emerging_terms=read["terms"],
        conversations=read["conversations"],
        influencers=read["influencers"],
        influencer_floor=_floor(digest),
        theme_names={t.name: t.shown_name(digest.language) for t in config.themes},
        spikes=[_spike(s) for f in figures for s in f.spikes],
        sources=read["sources"],
        unscored_by_language=read["unscored"],
        daily_volume=read["daily"],
    )


def _floor(digest: DigestConfig) -> Floor:
    return Floor(digest.influencer_top_share, digest.influencer_min_mentions, digest.influencer_min_followers)


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


def _explained(connection: Connection, config: Config, items: list[dict]) -> list[model.Post]:
    """The most negative posts, each with the words that pulled it down (what the scorer saw)."""
    rows = [{"id": m["mention_id"], "text": m.get("text") or "", "title": m.get("title"),
             "lang": m.get("lang")} for m in items]
    words = explain_mentions(connection, rows, config, k=WHY_WORDS * 2) if rows else {}
    return [replace(_post(m), why=tuple(word for word, weight in words.get(m["mention_id"], [])
                                        if weight < 0)[:WHY_WORDS])
            for m in items]


def _top(connection: Connection, names: list[str], period: Period, label: str) -> list[dict]:
    return top_mentions(connection, names, period, label=label, limit=TOP_POSTS)


def _spike(spike: Any) -> model.Spike:
    return model.Spike(topic=spike.topic, day=spike.day, observed=spike.observed,
                       baseline=spike.baseline, threshold=spike.threshold, mad=spike.mad,
                       posts=tuple(_post(p, (spike.topic,)) for p in spike.top_posts))


def _daily(connection: Connection, names: list[str], period: Period) -> dict[str, list[int]]:
    """Mentions per day of the period for each topic (the volume chart): index range counts."""
    if not names:
        return {}
    rows = resolve_topics(connection, names)
    counts = daily_counts(connection, [row.id for row in rows], period.days[0], period.days[-1])
    return {row.name: [counts[row.id].get(day, 0) for day in period.days] for row in rows}


def _terms(connection: Connection, names: list[str], period: Period,
           brands: list[str]) -> list[model.Term]:
    """Emerging terms of the lead topics; no brand or competitor name is a term."""
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


