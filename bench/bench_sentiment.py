"""The learned sentiment model against its targets (issue 11), each beside VADER on the same texts.

Not a test. Run:

    python bench/bench_sentiment.py                           # what the repository holds
    python bench/bench_sentiment.py --data path/to/training   # also macro-F1 on the labelled splits

Always measured (from tests/fixtures/labelled, VADER's 4,200 rated tweets):
Pearson r of the continuous score with the mean human rating, 3-class
macro-F1 on the paper's labels, scoring throughput against a bare
single-process ``SentimentIntensityAnalyzer().polarity_scores`` loop on the
same texts (cold: a freshly loaded model, every text distinct), and the time
to load the model in a fresh process. With ``--data``: macro-F1 on en/val,
en/test and each other language's val split, the learned model beside
vader-en / vader-fr. Prints a table with PASS/MISS per target.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listener.sentiment.learned import LearnedModel  # noqa: E402
from listener.sentiment.train import (  # noqa: E402
    OTHER_LANGUAGES,
    macro_f1,
    masked,
    read_split,
    vader_predictions,
)

LABELLED = ROOT / "tests" / "fixtures" / "labelled" / "vader_tweets_GroundTruth.tsv"
Row = tuple[str, str, str, str]


def ground_truth() -> tuple[list[str], np.ndarray]:
    rows = [line.split("\t", 2) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line]
    return [row[2] for row in rows], np.array([float(row[1]) for row in rows])


def paper_labels(ratings: np.ndarray) -> np.ndarray:
    scaled = ratings / 4
    return np.where(scaled >= 0.05, 2, np.where(scaled <= -0.05, 0, 1))


def compounds(model: LearnedModel, texts: list[str], lang: str) -> tuple[np.ndarray, np.ndarray]:
    probabilities = model.predict_proba(texts, lang, any_language=True)
    return probabilities.argmax(axis=1), probabilities[:, 2] - probabilities[:, 0]


def vader_compounds(texts: list[str]) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(text)["compound"] for text in texts])


def row(figure: str, value: float, baseline: str, target: str, ok: bool | None) -> Row:
    verdict = "" if ok is None else ("PASS" if ok else "MISS")
    return (figure, f"{value:.3f}", baseline, f"{target} {verdict}".strip())


def accuracy_on_ground_truth(model: LearnedModel) -> list[Row]:
    texts, ratings = ground_truth()
    labels, learned = compounds(model, texts, "en")
    vader = vader_compounds(texts)
    r_learned = float(np.corrcoef(learned, ratings)[0, 1])
    r_vader = float(np.corrcoef(vader, ratings)[0, 1])
    truth = paper_labels(ratings)
    vader_labels = np.where(vader >= 0.05, 2, np.where(vader <= -0.05, 0, 1))
    return [
        row("VADER tweets: Pearson r of compound", r_learned, f"vader {r_vader:.3f}", ">= 0.82",
            r_learned >= 0.82),
        row("VADER tweets: 3-class macro-F1", macro_f1(truth, labels),
            f"vader {macro_f1(truth, vader_labels):.3f}", "(no target)", None),
    ]


def throughput(n: int, batch: int) -> list[Row]:
    base, _ = ground_truth()
    texts = [f"{base[i % len(base)]} {i}" for i in range(n)]  # every text distinct
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    vader_rate = n / (time.perf_counter() - started)
    model = LearnedModel.load()  # fresh: empty token caches, lexicons not yet read
    started = time.perf_counter()
    for start in range(0, n, batch):
        model.score_batch(texts[start : start + batch], "en")
    cold = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for start in range(0, n, batch):
        model.score_batch(texts[start : start + batch], "en")
    warm = n / (time.perf_counter() - started)
    return [
        row(f"throughput, {n:,} distinct texts, cold (texts/s / 1000)", cold / 1000,
            f"vader {vader_rate / 1000:.1f}k/s", f">= 1.0x: {cold / vader_rate:.2f}x",
            cold >= vader_rate),
        row("throughput, same texts again, warm (texts/s / 1000)", warm / 1000,
            f"vader {vader_rate / 1000:.1f}k/s", f"{warm / vader_rate:.2f}x", None),
    ]


def startup() -> list[Row]:
    code = ("import time, numpy; t = time.perf_counter(); "
            "from listener.sentiment.learned import LearnedModel; LearnedModel.load(); "
            "print(time.perf_counter() - t)")
    seconds = min(float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout) for _ in range(3))
    return [row("model import + load in a fresh process (s, best of 3)", seconds, "",
                "<= 0.2", seconds <= 0.2)]


def accuracy_on_splits(model: LearnedModel, folder: Path) -> list[Row]:
    rows = []
    for split in ("val", "test"):
        texts, truth = read_split(folder, "en", split)
        predicted, _ = compounds(model, texts, "en")
        vader = macro_f1(truth, vader_predictions(masked(texts), "en"))
        target = ">= 0.60" if split == "test" else "(tuning split)"
        f1 = macro_f1(truth, predicted)
        rows.append(row(f"en/{split} macro-F1", f1, f"vader-en {vader:.3f}", target,
                        f1 >= 0.60 if split == "test" else None))
    for lang in OTHER_LANGUAGES:
        texts, truth = read_split(folder, lang, "val")
        predicted, _ = compounds(model, texts, lang)
        f1 = macro_f1(truth, predicted)
        baseline = ""
        bar = 0.60 if lang == "fr" else 0.55
        ok = f1 >= bar
        if lang == "fr":
            vader = macro_f1(truth, vader_predictions(masked(texts), "fr"))
            baseline = f"vader-fr {vader:.3f}"
            ok = ok and f1 > vader
        scored = "scored" if lang in model.languages() else "not scored"
        rows.append(row(f"{lang}/val macro-F1 ({scored})", f1, baseline, f">= {bar:.2f}", ok))
    return rows


def sizes() -> list[Row]:
    data = ROOT / "listener" / "sentiment" / "data"
    total = sum(path.stat().st_size for path in data.iterdir() if path.is_file())
    return [row("model files (MB)", total / 1e6, "", "a few MB", total < 5e6)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="the labelled training folder (optional)")
    parser.add_argument("--n", type=int, default=20_000, help="texts for the throughput figure")
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    model = LearnedModel.load()
    rows: list[Row] = [("figure", "value", "baseline", "target")]
    if args.data:
        rows += accuracy_on_splits(model, args.data)
    rows += accuracy_on_ground_truth(model)
    rows += throughput(args.n, args.batch)
    rows += startup()
    rows += sizes()
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for line in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
