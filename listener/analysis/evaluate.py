"""How good is the sentiment scoring? Compare it with human labels.

Input: a CSV with ``text,label`` (free texts) or ``source,id,label`` (stored
mentions, looked up by natural key), labels positive / neutral / negative.
Every text goes through the same path as a stored mention (masking, language
detection, the scorer of that language), so a text in an unscored language
counts as *unscored*: it is in ``n`` and counted wrong in ``accuracy``, which
is therefore honest about what the pipeline does. ``accuracy_scored`` gives the
figure over the scored texts only.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, tuple_

from listener.sentiment.batch import BatchScorer, score_texts
from listener.sentiment.dispatch import Sentiment
from listener.sentiment.masking import Masker, mention_text
from storage.labels import labelled, topics_of
from storage.schema import mentions

CLASSES = ("positive", "neutral", "negative")
PREDICTED = (*CLASSES, "unscored")
_SYNONYMS = {"pos": "positive", "neu": "neutral", "neg": "negative", "1": "positive",
             "0": "neutral", "-1": "negative"}


class LabelsError(ValueError):
    """The labelled file cannot be used; the message names the line and the fix."""


@dataclass
class Labelled:
    text: str
    label: str
    lang: str | None = None
    topics: list[Any] = field(default_factory=list)


@dataclass
class Evaluation:
    n: int
    accuracy: float
    accuracy_scored: float | None
    macro_f1: float
    unscored: int
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    support: dict[str, int]
    confusion: dict[str, dict[str, int]]  # true label -> predicted label (incl. unscored) -> n
    languages: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _label(raw: str) -> str | None:
    value = raw.strip().lower()
    value = _SYNONYMS.get(value, value)
    return value if value in CLASSES else None


def _checked(rows: list[dict[str, str]], columns: tuple[str, ...], path: str | Path) -> list[str]:
    """The label of every row; every bad row (missing value, unknown label) reported at once."""
    problems, found = [], []
    for number, row in enumerate(rows, 2):  # line 1 is the header
        empty = [c for c in columns if not (row.get(c) or "").strip()]
        label = _label(row.get("label") or "")
        if empty:
            problems.append(f"line {number}: no value for {', '.join(empty)}")
        elif label is None:
            problems.append(f"line {number}: label {row['label']!r} is not one of positive, "
                            "neutral, negative (or pos/neu/neg, 1/0/-1)")
        found.append(label or "")
    if problems:
        shown = problems[:50] + ([f"… and {len(problems) - 50} more"] if len(problems) > 50 else [])
        raise LabelsError(f"{path}: {len(problems)} bad line(s):\n  " + "\n  ".join(shown))
    return found


def read_labels(path: str | Path, connection: Connection | None = None) -> list[Labelled]:
    """Rows of a labelled CSV; ``source,id,label`` rows need ``connection`` to find the texts."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = {c.strip().lower() for c in reader.fieldnames or []}
            rows = list(reader)
    except OSError as error:
        raise LabelsError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise LabelsError(f"{path} is not a UTF-8 CSV file: {error}") from None
    rows = [{(k or "").strip().lower(): (v or "") for k, v in row.items() if k is not None}
            for row in rows]
    if {"text", "label"} <= columns:
        found = _checked(rows, ("text", "label"), path)
        return [Labelled(row["text"], label) for row, label in zip(rows, found, strict=True)]
    if {"source", "id", "label"} <= columns:
        found = _checked(rows, ("source", "id", "label"), path)
        if connection is None:
            raise LabelsError("source,id,label rows need a database (a config with [storage])")
        return _stored(connection, rows, found)
    raise LabelsError(f"{path}: expected the columns text,label or source,id,label; "
                      f"found {', '.join(sorted(columns)) or 'none'}")


def _stored(connection: Connection, rows: list[dict[str, str]], found_labels: list[str]) -> list[Labelled]:
    keys = [(row["source"].strip(), row["id"].strip()) for row in rows]
    found: dict[tuple[str, str], Any] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for r in connection.execute(
            select(mentions.c.id, mentions.c.source, mentions.c.external_id, mentions.c.text,
                   mentions.c.title, mentions.c.lang)
            .where(tuple_(mentions.c.source, mentions.c.external_id).in_(chunk))
        ):
            found[(r.source, r.external_id)] = r
    missing = [f"{s}:{i} (line {n + 2})" for n, (s, i) in enumerate(keys) if (s, i) not in found]
    if missing:
        raise LabelsError(f"{len(missing)} mention(s) not in the database: "
                          f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    topic_ids = topics_of(connection, [found[k].id for k in keys])
    return [Labelled(mention_text(found[k].text, found[k].title), label,
                     found[k].lang, topic_ids.get(found[k].id, []))
            for k, label in zip(keys, found_labels, strict=True)]


def stored_labels(connection: Connection) -> list[Labelled]:
    """Every label stored by ``listener label``, with its mention's text, language and topics."""
    rows = labelled(connection)
    topic_ids = topics_of(connection, [row.id for row in rows])
    return [Labelled(mention_text(row.text, row.title), row.label, row.lang,
                     topic_ids.get(row.id, [])) for row in rows]


def metrics(truth: Sequence[str], predicted: Sequence[str],
            languages: Sequence[str] = ()) -> Evaluation:
    n = len(truth)
    confusion = {t: dict.fromkeys(PREDICTED, 0) for t in CLASSES}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    correct = sum(confusion[c][c] for c in CLASSES)
    unscored = sum(confusion[t]["unscored"] for t in CLASSES)
    precision, recall, f1, support = {}, {}, {}, {}
    for c in CLASSES:
        tp = confusion[c][c]
        predicted_c = sum(confusion[t][c] for t in CLASSES)
        actual_c = sum(confusion[c].values())
        precision[c] = tp / predicted_c if predicted_c else 0.0
        recall[c] = tp / actual_c if actual_c else 0.0
        f1[c] = (2 * precision[c] * recall[c] / (precision[c] + recall[c])
                 if precision[c] + recall[c] else 0.0)
        support[c] = actual_c
    return Evaluation(
        n=n, accuracy=correct / n if n else 0.0,
        accuracy_scored=correct / (n - unscored) if n - unscored else None,
        macro_f1=sum(f1.values()) / len(CLASSES), unscored=unscored,
        precision=precision, recall=recall, f1=f1, support=support, confusion=confusion,
        languages=dict(Counter(languages).most_common()),
    )


def evaluate(items: Sequence[Labelled], *, config: Any = None,
             queries: dict[Any, str] | None = None, workers: int | None = None) -> Evaluation:
    """Score ``items`` through the stored-mention path and compare with their labels.

    ``queries`` (topic id or name -> query) enables masking of topic terms: for
    stored mentions their matched topics, for free texts the topics whose query
    matches the text.
    """
    masker = Masker(queries) if queries else None
    if masker is not None and any(item.topics for item in items):
        with BatchScorer(Sentiment.from_config(config),
                         workers=workers if workers is not None else 0) as batch:
            results = batch.run([i.text for i in items], [i.lang for i in items],
                                [masker.terms(i.topics) for i in items])
        labels = [result.score.label for result in results]
        langs = [result.lang for result in results]
    else:
        scored = score_texts([i.text for i in items], tags=[i.lang for i in items],
                             masker=masker, config=config, workers=workers)
        labels = [s.score.label for s in scored]
        langs = [s.lang for s in scored]
    return metrics([i.label for i in items], labels, langs)
