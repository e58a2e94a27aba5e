"""Score the stored mentions that wait for a score: read, mask, score, write, in chunks.

:func:`score_pending` reads and submits chunk N+1 before it collects and writes
chunk N, so pool workers score while this process writes. Each chunk is
committed with the watermark, so an interrupted run resumes where it stopped;
``rescore=True`` overwrites every score (after a lexicon or model change).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from listener.sentiment.batch import Analysed, BatchScorer
from listener.sentiment.dispatch import Sentiment
from listener.sentiment.masking import Masker, mention_text
from storage import scores
from storage.times import utcnow

READ_CHUNK = 20_000  # mentions read, prepared and written per transaction


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

    @classmethod
    def merged(cls, reports: list[ScoreReport]) -> ScoreReport:
        """One report for several runs over the same database (counts added, the last watermark)."""
        total = cls(rescore=any(report.rescore for report in reports))
        for report in reports:
            for name in ("mentions", "scored", "unscored", "distinct", "reused", "detected", "seconds"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            for name in ("unscored_by_lang", "scored_by_lang", "labels"):
                counts = Counter(getattr(total, name))
                counts.update(getattr(report, name))
                setattr(total, name, dict(counts.most_common()))
            total.watermark = max(total.watermark, report.watermark)
        return total


class _Tally:
    def __init__(self, report: ScoreReport) -> None:
        self.report = report
        self.unscored_by_lang: Counter[str] = Counter()
        self.scored_by_lang: Counter[str] = Counter()
        self.labels: Counter[str] = Counter()

    def rows(self, mention_ids: list[int], results: list[Analysed]) -> list[dict[str, Any]]:
        """Count one chunk's results and turn them into score rows."""
        now = utcnow()
        out = []
        seen: set[tuple[str, str]] = set()
        for mention_id, (clean, lang, detected, score) in zip(mention_ids, results, strict=True):
            if score.label == "unscored":
                self.unscored_by_lang[lang] += 1
            else:
                self.scored_by_lang[lang] += 1
                self.report.reused += (clean, lang) in seen
                seen.add((clean, lang))
            self.labels[score.label] += 1
            self.report.detected += detected
            out.append({
                "mention_id": mention_id, "lang": lang, "lang_detected": detected,
                "label": score.label, "compound": score.compound, "pos": score.pos,
                "neu": score.neu, "neg": score.neg, "scorer": score.scorer, "scored_at": now,
            })
        self.report.distinct += len(seen)
        return out

    def close(self) -> None:
        report = self.report
        report.unscored_by_lang = dict(self.unscored_by_lang.most_common())
        report.scored_by_lang = dict(self.scored_by_lang.most_common())
        report.labels = dict(self.labels)
        report.scored = sum(self.scored_by_lang.values())
        report.unscored = sum(self.unscored_by_lang.values())


def score_pending(
    engine: Engine,
    config: Any,
    *,
    rescore: bool = False,
    progress: Callable[[int, int], None] | None = None,
    read_chunk: int = READ_CHUNK,
    batch: BatchScorer | None = None,
    until: Callable[[], bool] | None = None,
) -> ScoreReport:
    """Score every mention that has no score yet (all of them with ``rescore``).

    ``config`` is the project :class:`~listener.config.Config` (its ``scoring``
    section is used) or a ``ScoringConfig``. ``progress(done, total)`` is called
    after each written batch. Once ``until()`` is true no further chunk is read:
    the chunks read are scored and written, the rest is left pending.
    """
    started = time.perf_counter()
    scoring_config = getattr(config, "scoring", config)
    report = ScoreReport(rescore=rescore)
    tally = _Tally(report)
    owned = batch is None
    if batch is None:
        batch = BatchScorer(Sentiment.from_config(config),
                            workers=getattr(scoring_config, "workers", 0))
    try:
        with engine.connect() as connection:
            masker = Masker(scores.topic_queries(connection))
            total = scores.count_pending(connection, rescore=rescore)
            after = scores.start(connection, rescore=rescore)
            watermark = scores.watermark(connection)

        def read(begin: int) -> tuple[list[int], Callable[[], list[Analysed]]] | None:
            """Read the next chunk and hand it to the scorer (pooled: scored in the background)."""
            with engine.connect() as connection:
                rows = scores.read_pending(connection, begin, read_chunk, rescore=rescore)
                if not rows:
                    return None
                topic_ids = scores.topics_of(connection, rows[0].id, rows[-1].id)
            return [row.id for row in rows], batch.submit(
                [mention_text(row.text, row.title) for row in rows],
                [row.lang for row in rows],
                [masker.terms(topic_ids.get(row.id, ())) for row in rows],
            )

        current = read(after)
        while current is not None:
            mention_ids, pending = current
            after = mention_ids[-1]
            # Chunk N+1 is read and submitted before chunk N is collected and written,
            # so the workers score while this process writes.
            more = len(mention_ids) >= read_chunk and not (until is not None and until())
            upcoming = read(after) if more else None
            out = tally.rows(mention_ids, pending())
            with engine.begin() as connection:
                scores.write(connection, out)
                watermark = max(watermark, after)
                scores.set_watermark(connection, watermark)
            report.mentions += len(mention_ids)
            if progress is not None:
                progress(report.mentions, max(total, report.mentions))
            current = upcoming
    finally:
        if owned:
            batch.close()
    tally.close()
    report.watermark = watermark
    report.seconds = time.perf_counter() - started
    return report
