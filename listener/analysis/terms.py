"""What people talk about: terms and hashtags emerging this period versus the weeks before.

Scoring is the weighted log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words"): for term w with counts
y_w (this period, n in all) and b_w (the ``weeks_back`` weeks before, m in all),
and a prior α_w = y_w + b_w (α₀ = n + m)::

    δ_w = log((y_w+α_w)/(n+α₀−y_w−α_w)) − log((b_w+α_w)/(m+α₀−b_w−α_w))
    z_w = δ_w / sqrt(1/(y_w+α_w) + 1/(b_w+α_w))

Terms are counted once per mention (a spammer repeating a word counts once),
and identical texts are grouped in SQL (``GROUP BY text_hash``) so retweets cost
one row. Handles and links are not terms; hashtags are (kept with their ``#``).
English and French stopwords and the topic's own query terms are excluded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, func, select

from listener.analysis.common import resolve_topics
from listener.analysis.period import Period
from listener.analysis.stopwords import STOPWORDS
from listener.query import normalize, parse
from storage.schema import matches, mentions

_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_TOKEN_RE = re.compile(r"(?<![\w@#])([@#]?)(\w[\w'’-]*\w|\w)")
MIN_LENGTH = 3
MAX_TEXTS = 50_000  # distinct texts read per side; the newest are kept beyond that


@dataclass
class EmergingTerm:
    term: str
    count: int  # mentions holding the term this period
    previous_count: int  # mentions holding it in the weeks before
    score: float  # z-score of the weighted log-odds (higher: more distinctive of this period)
    previous_weeks: int = 4


def tokens(text: str, exclude: frozenset[str] = frozenset()) -> set[str]:
    """The distinct terms of ``text``: words and #hashtags, normalized, no stopwords or handles."""
    found = set()
    for sigil, word in _TOKEN_RE.findall(normalize(_URL_RE.sub(" ", text))):
        word = word.strip("'’-")
        if sigil == "@" or len(word) < MIN_LENGTH or word.isdigit():
            continue
        if sigil == "#":
            if word not in exclude:
                found.add("#" + word)
            continue
        if word in STOPWORDS or word in exclude:
            continue
        parts = re.split(r"['’]", word)  # "l'avion" -> "avion", "don't" -> stopword
        word = max(parts, key=len) if len(parts) > 1 else word
        if len(word) >= MIN_LENGTH and word not in STOPWORDS and word not in exclude:
            found.add(word)
    return found


def _document_counts(connection: Connection, topic_id: int, start, end,
                     exclude: frozenset[str]) -> tuple[Counter[str], int]:
    query = (
        select(func.min(mentions.c.text).label("text"), func.count().label("copies"))
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id))
        .where(matches.c.topic_id == topic_id, matches.c.created_at >= start,
               matches.c.created_at < end)
        .group_by(mentions.c.text_hash)
        .order_by(func.max(matches.c.created_at).desc())
        .limit(MAX_TEXTS)
    )
    counts: Counter[str] = Counter()
    documents = 0
    for text, copies in connection.execute(query):
        documents += copies
        for term in tokens(text, exclude):
            counts[term] += copies
    return counts, documents


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
    current, _ = _document_counts(connection, row.id, period.start, period.end, excluded)
    background, _ = _document_counts(connection, row.id,
                                     period.start - timedelta(weeks=weeks_back), period.start,
                                     excluded)
    scored = log_odds(current, background)
    ranked = sorted((t for t in scored if current[t] >= min_count and scored[t] > 0),
                    key=lambda t: (-scored[t], -current[t], t))
    return [EmergingTerm(t, current[t], background.get(t, 0), round(scored[t], 3), weeks_back)
            for t in ranked[:limit]]
