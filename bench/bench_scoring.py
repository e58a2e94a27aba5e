"""8. Scoring throughput: listener's default model versus a bare vaderSentiment loop, same process.

In ``bench/run.py``: the texts of the run's corpus (up to ``RUN_TEXTS``; a
third are retweets or copies, as in real data) with their platform language
tags (~70 % carry one, as stored mentions do), scored in this one process
(``workers=1``: masking of the terms of the topics each text matches and of
handles, language detection where untagged, and the learned model,
``[scoring] model = "learned"``; which topics a text matches is decided at
ingest, so that is not timed) and by one ``SentimentIntensityAnalyzer``. Target: listener's rate / VADER's >= 1.0.
A second row, for reference, uses all-distinct labelled texts (no duplicate
savings).

Standalone: python bench/bench_scoring.py [--n 40000] [--workers 0]

Texts: the 4,200 labelled tweets of tests/fixtures/labelled (or a built-in sample),
repeated with a varying suffix so that each text is distinct (no duplicate
savings for us), then a second run with 30% exact copies (retweets) to show
the effect of scoring each distinct text once. Both sides score the same
texts; ours also masks handles and detects the language of every text.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "labelled" / "vader_tweets_GroundTruth.tsv"
SAMPLE = [
    "@acme the new latte is amazing, thank you!",
    "Waited 40 minutes for a cold coffee. Never again @acme",
    "Le service était vraiment nul ce matin, très déçu",
    "J'adore la nouvelle boutique, super accueil !",
    "El café estaba frío y el servicio fue lento",
    "Is the store on Main St open on Sundays?",
]


def texts(n: int, duplicates: float) -> list[str]:
    if LABELLED.exists():
        base = [line.split("\t", 2)[2] for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    else:
        base = SAMPLE
    rng = random.Random(7)
    out: list[str] = []
    for i in range(n):
        if out and rng.random() < duplicates:
            out.append(rng.choice(out))
        else:
            out.append(f"{base[i % len(base)]} [{i}]")
    return out


def bare(items: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a bare ``polarity_scores`` loop over ``items``."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    start, cpu = time.perf_counter(), time.process_time()
    for text in items:
        analyzer.polarity_scores(text)
    return time.perf_counter() - start, time.process_time() - cpu


def ours(items: list[str], workers: int, tags: list[str | None] | None = None,
         terms: list | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of listener's scoring path over ``items`` (CPU: this process only)."""
    from listener.config import ScoringConfig
    from listener.language import preload
    from listener.sentiment.batch import score_texts
    from listener.sentiment.dispatch import Sentiment

    config = ScoringConfig(model="learned")
    # model loads are not throughput (VADER's lexicon is read before its loop too): every
    # language's scorer with its lexicons, and the language detector
    Sentiment.from_config(config).warm()
    preload()
    start, cpu = time.perf_counter(), time.process_time()
    score_texts(items, tags=tags, terms=terms, workers=workers, config=config)
    gc.collect(0)  # the young-generation pass score_texts defers (it pauses the collector) is ours
    return time.perf_counter() - start, time.process_time() - cpu


RUN_TEXTS = 40_000
TARGET = 1.0


def corpus_texts(path: Path, n: int) -> tuple[list[str], list[str | None]]:
    """The first ``n`` texts of a corpus and their platform language tags (None: untagged)."""
    import json

    with path.open("rb") as handle:
        rows = [json.loads(line) for line, _ in zip(handle, range(n), strict=False)]
    return [row["text"] for row in rows], [row.get("lang") for row in rows]


def topic_terms(items: list[str]) -> list:
    """Per text, the terms of the corpus topics it matches (what a stored mention's matches give)."""
    from bench.corpus import TOPICS
    from listener.sentiment.masking import Masker

    masker = Masker({topic["name"]: topic["query"] for topic in TOPICS})
    return [masker.terms(masker.matching(text)) for text in items]


def run(ctx) -> list:
    from bench.common import Result, check

    results = []
    corpus, tags = corpus_texts(ctx.corpus(), min(ctx.size, RUN_TEXTS))
    cases = [("corpus texts", corpus, tags, topic_terms(corpus), True),
             ("distinct labelled texts", texts(min(ctx.size, RUN_TEXTS) // 4, 0.0), None, None, False)]
    for name, items, item_tags, item_terms, targeted in cases:
        base, base_cpu = bare(items)
        mine, mine_cpu = ours(items, 1, item_tags, item_terms)
        ratio = base / mine
        result = Result("scoring", f"default model, {len(items):,} {name}, one process", len(items) / mine,
                        "texts/s", baseline=len(items) / base, baseline_name="bare vaderSentiment loop",
                        ratio=ratio, target=f"ratio >= {TARGET}" if targeted else "",
                        note=f"{len(set(items)):,} distinct; {mine:.1f} s vs {base:.1f} s; CPU "
                             f"{mine_cpu:.2f} s vs {base_cpu:.2f} s (ratio {base_cpu / mine_cpu:.2f})")
        results.append(check(result, ratio >= TARGET) if targeted else result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40_000)
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, texts: {args.n}, workers: {args.workers or 'all'}")
    for duplicates in (0.0, 0.3):
        items = texts(args.n, duplicates)
        base, _ = bare(items)
        mine, _ = ours(items, args.workers)
        print(f"duplicates {duplicates:.0%}: bare vaderSentiment {args.n / base:,.0f} texts/s, "
              f"listener.sentiment {args.n / mine:,.0f} texts/s "
              f"(mask + language + score), ratio {base / mine:.2f}x")


if __name__ == "__main__":
    main()
