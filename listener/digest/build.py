"""The digest of one ``[[digests]]`` entry and week, as plain data (``reports.model.Digest``).

The figures are the week records of ``listener trends --format json``
(:func:`listener.analysis.weekly.topic_weeks`); the lists (posts, terms, the triage
list, influencers) come from the analysis API beside them. No I/O but the queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from listener.analysis import conversations
from listener.analysis.common import resolve_topics
from listener.analysis.influencers import Floor, top_influencers
from listener.analysis.period import Period
from listener.analysis.spikes import daily_counts
from listener.analysis.terms import emerging_terms, query_words
from listener.analysis.trends import top_mentions, unscored_by_language
from listener.analysis.weekly import topic_weeks
from listener.config import Config, DigestConfig
from listener.digest.sources import source_health
from listener.sentiment.explain import explain_mentions
from reports import model
from reports.render import SOURCE_NAMES
from storage.times import utcnow

TOP_POSTS = 3
TERMS = 8
INFLUENCERS = 5
WHY_WORDS = 3  # words shown beside a "most negative" post: what pulled its score down


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
        top_negative=_explained(connection, config, _top(connection, lead, period, "negative")),
        emerging_terms=_terms(connection, lead, period, voiced_names),
        conversations=_conversations(connection, lead, period, now, digest.answer_limit),
        influencers=top_influencers(connection, names, period, limit=INFLUENCERS, floor=floor),
        influencer_floor=floor,
        theme_names={t.name: t.shown_name(digest.language) for t in config.themes},
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


def _lead_topics(figures: list[Any]) -> list[str]:
    """The topics "what people say" is about: the brands, else every topic of the digest."""
    return [f.topic for f in figures if f.kind == "brand"] or [f.topic for f in figures]


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


