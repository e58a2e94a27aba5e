"""What people talk about: terms and hashtags emerging this period versus the weeks before.

Scoring is the weighted log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words"): for term w with counts
y_w (this period, n in all) and b_w (the ``weeks_back`` weeks before, m in all),
and a prior α_w = y_w + b_w (α₀ = n + m)::

    δ_w = log((y_w+α_w)/(n+α₀−y_w−α_w)) − log((b_w+α_w)/(m+α₀−b_w−α_w))
    z_w = δ_w / sqrt(1/(y_w+α_w) + 1/(b_w+α_w))

Terms are counted once per mention (a spammer repeating a word counts once),
and identical texts are grouped in SQL (``GROUP BY text_hash``) so retweets cost
one row.

Sample: each week (this period and each of the ``weeks_back`` before) reads at
most ``SAMPLE_PER_WEEK`` distinct texts, those with the smallest ``text_hash``
(a content hash: a deterministic, content-independent sample, the same on every
run), each weighted by its number of copies that week. So counts are mentions
*in the sample*; every result states the sample (``texts``/``mentions`` read and
``previous_texts``/``previous_mentions``) beside the ``SAMPLE_PER_WEEK`` cap.

Handles and links are not terms; hashtags are (kept with their ``#``).
English and French stopwords and the topic's own query terms are excluded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Connection, func, select

from listener.analysis.common import resolve_topics
from listener.analysis.period import Period
from listener.analysis.stopwords import STOPWORDS
from listener.query import normalize, parse
from storage.schema import matches, mentions

_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_TOKEN_RE = re.compile(r"(?<![\w@#])([@#]?)(\w[\w'’-]*\w|\w)")
MIN_LENGTH = 3
SAMPLE_PER_WEEK = 5_000  # distinct texts read per topic and week (smallest text_hash first)


@dataclass
class EmergingTerm:
    term: str
    count: int  # mentions holding the term this period
    previous_count: int  # mentions holding it in the weeks before
    score: float  # z-score of the weighted log-odds (higher: more distinctive of this period)
    previous_weeks: int = 4
    # the sample behind the counts (see SAMPLE_PER_WEEK): distinct texts and the mentions
    # (copies included) read this period and in the weeks before
    texts: int = 0
    mentions: int = 0
    previous_texts: int = 0
    previous_mentions: int = 0


def tokens(text: str, exclude: frozenset[str] = frozenset()) -> set[str]:
    """The distinct terms of ``text``: words and #hashtags, normalized, no stopwords or handles."""
    found = set()
    for sigil, word in _TOKEN_RE.findall(normalize(_URL_RE.sub(" ", text))):
        term = _term(sigil, word, exclude)
        if term is not None:
            found.add(term)
    return found


@lru_cache(maxsize=100_000)
def _term(sigil: str, word: str, exclude: frozenset[str]) -> str | None:
    """The term a (normalized) token stands for, or None; cached: vocabularies are small."""
    word = word.strip("'’-")
    if sigil == "@" or len(word) < MIN_LENGTH or word.isdigit():
        return None
    if sigil == "#":
        return None if word in exclude else "#" + word
    if word in STOPWORDS or word in exclude:
        return None
    parts = re.split(r"['’]", word)  # "l'avion" -> "avion", "don't" -> stopword
    word = max(parts, key=len) if len(parts) > 1 else word
    if len(word) >= MIN_LENGTH and word not in STOPWORDS and word not in exclude:
        return word
    return None


@dataclass
class _Sample:
    counts: Counter[str]
    texts: int = 0  # distinct texts read
    mentions: int = 0  # their copies: the documents the counts are over


def _weeks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    spans = []
    while start < end:
        spans.append((start, min(start + timedelta(weeks=1), end)))
        start += timedelta(weeks=1)
    return spans


def _document_counts(connection: Connection, topic_id: int, start, end,
                     exclude: frozenset[str], *, per_week: int | None = None) -> _Sample:
    """Term document counts over ``[start, end)``, at most ``per_week`` distinct texts a week."""
    per_week = per_week or SAMPLE_PER_WEEK
    sample = _Sample(Counter())
    known: dict[str, set[str]] = {}  # text_hash -> terms, for texts seen in several weeks
    for week_start, week_end in _weeks(start, end):
        query = (
            select(mentions.c.text_hash, func.min(mentions.c.text).label("text"),
                   func.count().label("copies"))
            .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id))
            .where(matches.c.topic_id == topic_id, matches.c.created_at >= week_start,
                   matches.c.created_at < week_end)
            .group_by(mentions.c.text_hash)
            .order_by(mentions.c.text_hash)
            .limit(per_week)
        )
        for text_hash, text, copies in connection.execute(query):
            sample.texts += 1
            sample.mentions += copies
            terms = known.get(text_hash)
            if terms is None:
                terms = known[text_hash] = tokens(text, exclude)
            for term in terms:
                sample.counts[term] += copies
    return sample


def log_odds(current: Counter[str], background: Counter[str]) -> dict[str, float]:
    """z-scores of the weighted log-odds ratio, prior = the two corpora together."""
    n, m = sum(current.values()), sum(background.values())
    a0 = n + m
    scores = {}
    for term in current:
        y, b = current[term], background.get(term, 0)
        alpha = y + b
        delta = (math.log((y + alpha) / (n + a0 - y - alpha))
                 - math.log((b + alpha) / (m + a0 - b - alpha)))
        scores[term] = delta / math.sqrt(1 / (y + alpha) + 1 / (b + alpha))
    return scores


def _own_terms(query: str) -> frozenset[str]:
    words: set[str] = set()
    for term in parse(query).positive_terms():
        words.update(re.findall(r"\w+", term.value))
    return frozenset(words)


def emerging_terms(
    connection: Connection,
    topic: str,
    period: Period,
    *,
    weeks_back: int = 4,
    limit: int = 10,
    min_count: int = 3,
    exclude: Iterable[str] = (),
) -> list[EmergingTerm]:
    """Terms and hashtags of ``topic`` most over-represented in ``period`` vs the weeks before."""
    (row,) = resolve_topics(connection, [topic])
    excluded = _own_terms(row.query) | frozenset(normalize(w) for w in exclude)
    now = _document_counts(connection, row.id, period.start, period.end, excluded)
    before = _document_counts(connection, row.id, period.start - timedelta(weeks=weeks_back),
                              period.start, excluded)
    current, background = now.counts, before.counts
    scored = log_odds(current, background)
    ranked = sorted((t for t in scored if current[t] >= min_count and scored[t] > 0),
                    key=lambda t: (-scored[t], -current[t], t))
    return [EmergingTerm(t, current[t], background.get(t, 0), round(scored[t], 3), weeks_back,
                         texts=now.texts, mentions=now.mentions,
                         previous_texts=before.texts, previous_mentions=before.mentions)
            for t in ranked[:limit]]
