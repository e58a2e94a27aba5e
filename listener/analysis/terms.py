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

Terms read well: stop-words are removed per detected language (the ``stop-words``
package's maintained lists; English and French for texts of unknown language);
words are shown as people wrote them (lower case, accents kept; folding is only
for matching, so "brûlé" and "brule" count together and show as "brûlé"); a
two-word phrase is shown instead of its words when most of their mentions use it
("cold brew" rather than "cold" and "brew"); words of the brand and competitor
queries given in ``exclude`` are never terms; each term comes with one example
post (the most-copied text holding it, with its link). Handles and links are not
terms; hashtags are (kept with their ``#``).
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from sqlalchemy import Connection, func, null, select
from stop_words import LANGUAGE_MAPPING, get_stop_words

from listener.analysis.common import resolve_topics
from listener.analysis.period import Period
from listener.query import normalize, parse
from storage.schema import matches, mentions, scores

_URL_RE = re.compile(r"https?://\S+|www\.\S+")
# a word, #hashtag or @handle; none glued to a word or sigil before it (no tag in "a#b")
_TOKEN_RE = re.compile(r"(?<![\w@#])[@#]?\w+(?:['’-]+\w+)*")
MIN_LENGTH = 3
SAMPLE_PER_WEEK = 5_000  # distinct texts read per topic and week (smallest text_hash first)
PHRASE_SHARE = 0.5  # a phrase replaces its words when it holds more than this share of each
FALLBACK_LANGUAGES = ("en", "fr")  # stop-words for texts whose language is unknown


@dataclass
class EmergingTerm:
    term: str  # as people wrote it (lower case, accents kept)
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
    example: str | None = None  # a post holding the term
    example_url: str | None = None


@lru_cache(maxsize=64)
def stopwords(lang: str | None) -> frozenset[str]:
    """Folded stop-words of ``lang`` (its primary subtag); English and French when unknown."""
    code = (lang or "").split("-")[0].lower()
    codes = (code,) if code and code in _LANGUAGES else FALLBACK_LANGUAGES
    words: set[str] = set()
    for c in codes:
        words.update(normalize(w) for w in get_stop_words(c))
        words.update(normalize(w) for w in _EXTRA)
    return frozenset(words)


# platform words no list has; the rest comes from the stop-words package
_EXTRA = ("rt", "amp", "http", "https", "www", "via", "lol", "omg", "pls", "svp", "mdr")
_LANGUAGES = frozenset(LANGUAGE_MAPPING) | frozenset(LANGUAGE_MAPPING.values())


def tokens(text: str, lang: str | None = None,
           exclude: frozenset[str] = frozenset()) -> dict[str, str]:
    """The distinct terms of ``text`` and two-word phrases: folded key -> the form as written.

    Words and #hashtags, without ``lang``'s stop-words, handles, links or excluded words;
    a phrase is two consecutive kept words (``"cold brew"``).
    """
    return _vocabulary(stopwords(lang), exclude).tokens(text)


_KNOWN_MAX = 50_000  # entries each table of a vocabulary keeps; past it, new ones are not kept

_Term = tuple[str, str]  # (folded key, shown form)


@dataclass
class _Vocabulary:
    """The terms of the chunks of text seen with these stop-words and exclusions.

    A chunk is a run of non-space characters. No token spans a space, and a space before a
    chunk is as good as the start of the text to _TOKEN_RE's look-behind, so a text's tokens
    are those of its chunks in turn. Chunks repeat much more than texts: what each chunk,
    token and phrase stands for is remembered (pure functions of them, never stale).
    """

    stop: frozenset[str]
    exclude: frozenset[str]
    # chunk -> its tokens' terms, None for a token that is no term (it ends any phrase); a
    # hashtag comes between two Nones, as it joins no phrase
    chunks: dict[str, tuple[_Term | None, ...]] = field(default_factory=dict)
    words: dict[str, tuple[_Term | None, ...]] = field(default_factory=dict)  # token -> entries
    phrases: dict[tuple[_Term, _Term], _Term] = field(default_factory=dict)  # two words -> phrase

    def tokens(self, text: str) -> dict[str, str]:
        """``tokens(text, lang, exclude)`` with this vocabulary's stop-words and exclusions."""
        if "://" in text or "www." in text:  # the only ways _URL_RE can match
            text = _URL_RE.sub(" ", text)
        chunks = text.split()
        try:
            parts = list(map(self.chunks.__getitem__, chunks))
        except KeyError:  # a chunk not seen yet, or not kept
            parts = self._learn(chunks)
        found: dict[str, str] = {}
        previous: _Term | None = None
        phrases = self.phrases
        for term in chain.from_iterable(parts):
            if term is None:
                previous = None
                continue
            key, shown = term
            if key not in found:
                found[key] = shown
            if previous is not None:
                pair = (previous, term)
                phrase = phrases.get(pair)
                if phrase is None:
                    phrase = (f"{previous[0]} {key}", f"{previous[1]} {shown}")
                    if len(phrases) < _KNOWN_MAX:
                        phrases[pair] = phrase
                if phrase[0] not in found:
                    found[phrase[0]] = phrase[1]
            previous = term
        return found

    def _learn(self, chunks: list[str]) -> list[tuple[_Term | None, ...]]:
        parts = []
        for chunk in chunks:
            part = self.chunks.get(chunk)
            if part is None:
                part = ()
                for token in _TOKEN_RE.findall(chunk):
                    entries = self.words.get(token)
                    if entries is None:
                        entries = _entries(_term(token, self.stop, self.exclude))
                        if len(self.words) < _KNOWN_MAX:
                            self.words[token] = entries
                    part += entries
                if len(self.chunks) < _KNOWN_MAX:
                    self.chunks[chunk] = part
            parts.append(part)
        return parts


def _entries(term: _Term | None) -> tuple[_Term | None, ...]:
    """A token's entries in a chunk's terms (see _Vocabulary.chunks)."""
    if term is None:
        return (None,)
    return (None, term, None) if term[0][0] == "#" else (term,)


@lru_cache(maxsize=16)
def _vocabulary(stop: frozenset[str], exclude: frozenset[str]) -> _Vocabulary:
    return _Vocabulary(stop, exclude)


def _term(token: str, stop: frozenset[str], exclude: frozenset[str]) -> _Term | None:
    """(folded key, shown form) of a token as written, or None."""
    sigil = token[0] if token[0] in "@#" else ""
    word = token[len(sigil):].lower().strip("'’-")
    key = normalize(word)
    if sigil == "@" or len(word) < MIN_LENGTH or word.isdigit() or not key:  # "ﾞﾞﾞ" folds to ""
        return None
    if sigil == "#":
        return None if key in exclude else ("#" + key, "#" + word)
    if key in stop or key in exclude:
        return None
    parts = re.split(r"['’]", word)  # "l'avion" -> "avion", "don't" -> stopword
    if len(parts) > 1:
        word = max(parts, key=len)
        key = normalize(word)
    if len(word) >= MIN_LENGTH and key and key not in stop and key not in exclude:
        return key, word
    return None


class _Read(NamedTuple):
    """A text of the period shown, as read."""

    text_hash: str
    text: str
    url: str | None
    copies: int
    terms: dict[str, str]


@dataclass
class _Sample:
    counts: Counter[str] = field(default_factory=Counter)
    texts: int = 0  # distinct texts read
    mentions: int = 0  # their copies: the documents the counts are over
    read: list[_Read] = field(default_factory=list)  # with details only (the period shown)

    def holding(self, keys: Iterable[str]) -> dict[str, list[_Read]]:
        """Each of ``keys`` -> the texts read holding it, in reading order."""
        found: dict[str, list[_Read]] = {key: [] for key in keys}
        wanted = set(found)
        for read in self.read:
            for key in wanted.intersection(read.terms):
                found[key].append(read)
        return found


def _most_written(key: str, holders: list[_Read]) -> str:
    """The form of ``key`` most copies use (the first seen on a tie)."""
    forms: dict[str, int] = {}
    for read in holders:
        shown = read.terms[key]
        forms[shown] = forms.get(shown, 0) + read.copies
    return max(forms, key=forms.__getitem__)


def _weeks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    spans = []
    while start < end:
        spans.append((start, min(start + timedelta(weeks=1), end)))
        start += timedelta(weeks=1)
    return spans


def _document_counts(connection: Connection, topic_id: int, start, end,
                     exclude: frozenset[str], *, per_week: int | None = None,
                     details: bool = True) -> _Sample:
    """Term document counts over ``[start, end)``, at most ``per_week`` distinct texts a week;
    with ``details``, also the texts read (each term's written forms, texts and example)."""
    per_week = per_week or SAMPLE_PER_WEEK
    sample = _Sample()
    counts = sample.counts
    known: dict[str, dict[str, str]] = {}  # text_hash -> terms, for texts seen in several weeks
    vocabularies: dict[str | None, _Vocabulary] = {}  # by language
    read_once: list[dict[str, str]] = []  # the terms of texts with one copy, counted in one go
    texts = copies_read = 0
    for week_start, week_end in _weeks(start, end):
        for text_hash, text, copies, lang, url in _week_texts(
                connection, topic_id, week_start, week_end, per_week, urls=details):
            terms = known.get(text_hash)
            if terms is None:
                vocabulary = vocabularies.get(lang)
                if vocabulary is None:
                    vocabulary = vocabularies[lang] = _vocabulary(stopwords(lang), exclude)
                terms = known[text_hash] = vocabulary.tokens(text)
            texts += 1
            copies_read += copies
            if copies == 1:
                read_once.append(terms)
            else:
                for key in terms:
                    counts[key] += copies
            if details:
                sample.read.append(_Read(text_hash, text, url, copies, terms))
    sample.texts, sample.mentions = texts, copies_read
    counts.update(chain.from_iterable(read_once))
    return sample


SLICE_MARGIN = 2  # the first slice of hashes read is this many times the expected sample
_TextRow = tuple[str, str, int, str | None, str | None]  # text_hash, text, copies, lang, url


def _week_texts(connection: Connection, topic_id: int, week_start, week_end,
                per_week: int, *, urls: bool) -> list[_TextRow]:
    """The ``per_week`` distinct texts of a week with the smallest ``text_hash``, in that order:
    (text_hash, text, copies, lang, url), url None unless ``urls``.

    Read in slices of hash space, smallest first: grouping and sorting only the texts of a
    slice, not every text of the week, is most of the query's cost in a busy week. Hashes are
    uniform hex, so a week of ``n`` mentions (at most ``n`` texts) has most of its sample below
    ``SLICE_MARGIN * per_week / n`` of the range; the rest, if any, comes from a second slice.
    """
    where = (matches.c.topic_id == topic_id, matches.c.created_at >= week_start,
             matches.c.created_at < week_end)
    mentions_read = connection.scalar(select(func.count()).select_from(matches).where(*where)) or 0
    share = SLICE_MARGIN * per_week / mentions_read if mentions_read else 1
    bounds = [f"{int(share * 16 ** 8):08x}", None] if share < 1 else [None]
    query = (
        select(mentions.c.text_hash, func.min(mentions.c.text).label("text"),
               func.count().label("copies"),
               func.min(func.coalesce(scores.c.lang, mentions.c.lang)).label("lang"),
               (func.min(mentions.c.url) if urls else null()).label("url"))
        .select_from(matches.join(mentions, mentions.c.id == matches.c.mention_id)
                     .outerjoin(scores, scores.c.mention_id == matches.c.mention_id))
        .where(*where)
        .group_by(mentions.c.text_hash)
        .order_by(mentions.c.text_hash)
    )
    rows: list[_TextRow] = []
    low = None
    for high in bounds:
        sliced = query
        if low is not None:
            sliced = sliced.where(mentions.c.text_hash >= low)
        if high is not None:
            sliced = sliced.where(mentions.c.text_hash < high)
        # the DBAPI's own tuples, not Rows: cheaper by the thousand, and, unlike a week of Rows,
        # untracked by the garbage collector (no column here needs a result processor)
        result = connection.execute(sliced.limit(per_week - len(rows)))
        rows += result.cursor.fetchall()
        result.close()
        if len(rows) == per_week:
            break
        low = high
    return rows


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


def query_words(queries: Iterable[str]) -> frozenset[str]:
    """The folded words of topic queries' positive terms (brand names are not news)."""
    words: set[str] = set()
    for query in queries:
        for term in parse(query).positive_terms():
            words.update(re.findall(r"\w+", term.value))
    return frozenset(words)


def _phrases_over_words(keys: list[str], counts: Counter[str]) -> list[str]:
    """Keep a phrase only where it holds most mentions of each of its words; drop those words."""
    kept = [k for k in keys if " " not in k]
    for phrase in (k for k in keys if " " in k):
        words = phrase.split(" ")
        if all(counts[phrase] > PHRASE_SHARE * counts[w] for w in words):
            kept.append(phrase)
    covered = {w for k in kept if " " in k for w in k.split(" ")}
    return [k for k in keys if k in kept and k not in covered]


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
    """Terms, phrases and hashtags of ``topic`` most over-represented in ``period`` vs the
    weeks before; ``exclude``: more words never to show (e.g. competitors' names)."""
    (row,) = resolve_topics(connection, [topic])
    excluded = query_words([row.query]) | frozenset(normalize(w) for w in exclude)
    now = _document_counts(connection, row.id, period.start, period.end, excluded)
    before = _document_counts(connection, row.id, period.start - timedelta(weeks=weeks_back),
                              period.start, excluded, details=False)
    current, background = now.counts, before.counts
    scored = log_odds(current, background)
    ranked = sorted((t for t in scored if current[t] >= min_count and scored[t] > 0),
                    key=lambda t: (-scored[t], -current[t], t))
    ranked = _phrases_over_words(ranked, current)
    holding = now.holding(ranked)
    # terms that always come together (one story told many times) read as one line
    together: dict[frozenset[str], list[str]] = {}
    for key in ranked:
        together.setdefault(frozenset(read.text_hash for read in holding[key]), []).append(key)
    out = []
    for keys in list(together.values())[:limit]:
        key = keys[0]
        example = max(holding[key], key=operator.attrgetter("copies"))  # the first of the most copied
        out.append(EmergingTerm(
            " · ".join(_most_written(k, holding[k]) for k in keys), current[key],
            background.get(key, 0),
            round(scored[key], 3), weeks_back, texts=now.texts, mentions=now.mentions,
            previous_texts=before.texts, previous_mentions=before.mentions,
            example=example.text, example_url=example.url))
    return out
