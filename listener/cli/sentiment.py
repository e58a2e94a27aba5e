"""Sentiment commands that learn from people: label (by hand, in the terminal) and train."""

from __future__ import annotations

import csv
import random
import sys
import unicodedata
from pathlib import Path
from typing import Annotated

import typer

from listener.cli.app import EXIT_USAGE, app, fail, out, state, summary
from listener.cli.core import open_database

CANDIDATES = 20_000  # unlabelled mentions drawn at random before spreading them over topics and weeks
EXPORT_COLUMNS = ("source", "id", "label", "lang", "labelled_at", "text")
PROMPT = "n negative · u neutral · p positive · s skip · q quit"


def _shown(text: str, width: int = 600) -> str:
    """Text as it may go to a terminal: no control sequences, one paragraph, bounded."""
    # Control characters (ESC starts terminal sequences) become spaces; emoji joiners stay.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _export(engine, path: Path) -> int:
    from storage.labels import labelled

    with engine.connect() as connection:
        rows = labelled(connection)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow([row.source, row.external_id, row.label, row.scored_lang or row.lang or "",
                             row.labelled_at.isoformat(timespec="seconds"), row.text])
    return len(rows)


@app.command()
def label(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="Mentions to show in this session.")] = 100,
    export: Annotated[Path | None, typer.Option("--export", dir_okay=False,
                                                help="Write every stored label to this CSV instead.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --export if it exists (never the database or config).")] = False,
    seed: Annotated[int | None, typer.Option(hidden=True)] = None,
) -> None:
    """Label stored mentions by hand, one keystroke each (n negative, u neutral, p positive, s skip, q quit).

    Mentions are sampled across topics and weeks. Labels are stored at once; they
    calibrate the digest's corrected sentiment and train the model (listener train).

    Example: listener label --limit 100
    """
    from listener.sentiment.labelling import KEYS, QUIT, SKIP, spread
    from storage import labels as stored_labels
    from storage.times import utcnow

    config = state(ctx).config()
    engine = open_database(ctx)
    if export is not None:
        from listener.outputs import RefusedOutput, check_output, protected

        try:
            check_output(export, protected(config.storage.url, state(ctx).config_file()), force=force)
        except RefusedOutput as error:
            fail(str(error), EXIT_USAGE)
        try:
            written = _export(engine, export)
        except OSError as error:
            fail(f"cannot write {export}: {error.strerror or error}")
        summary.print(f"{written} labels written to {export}", markup=False)
        return
    if not sys.stdin.isatty():
        fail("listener label reads single keystrokes and needs a terminal; "
             "to bring labels from a file, use listener eval --labels or listener train --labels",
             EXIT_USAGE)
    with engine.connect() as connection:
        candidates = stored_labels.unlabelled_candidates(connection, CANDIDATES)
        ids = spread(candidates, limit, random.Random(seed))
        shown = stored_labels.mentions_by_id(connection, ids)
        topics = stored_labels.topics_of(connection, ids)
        names = stored_labels.topic_names(connection)
    if not ids:
        out.print("nothing to label: every scored mention has a label (run listener collect or "
                  "listener score first)", markup=False)
        return
    counts = dict.fromkeys((*KEYS.values(), "skipped"), 0)
    for number, mention_id in enumerate(ids, 1):
        row = shown[mention_id]
        where = ", ".join(sorted(names.get(t, "?") for t in topics.get(mention_id, []))) or "no topic"
        out.print(f"\n[{number}/{len(ids)}] {row.source} · {row.created_at:%Y-%m-%d} · "
                  f"{_shown(where, 80)} · {row.lang or 'und'}", markup=False)
        if row.title:
            out.print(_shown(row.title), markup=False)
        out.print(_shown(row.text), markup=False)
        key = _key(PROMPT)
        if key == QUIT:
            break
        if key == SKIP:
            counts["skipped"] += 1
            continue
        with engine.begin() as connection:
            stored_labels.record(connection, mention_id, KEYS[key], utcnow())
        counts[KEYS[key]] += 1
    with engine.connect() as connection:
        total = stored_labels.count(connection)
    done = sum(counts[v] for v in KEYS.values())
    out.print(f"\n{done} labelled ({', '.join(f'{v} {counts[v]}' for v in KEYS.values())}), "
              f"{counts['skipped']} skipped; {total} labels stored", markup=False)


def _key(prompt: str) -> str:
    """One keystroke among n, u, p, s, q (Ctrl-C and Ctrl-D count as q)."""
    from listener.sentiment.labelling import KEYS, QUIT, SKIP

    out.print(prompt + " > ", end="", markup=False)
    while True:
        try:
            key = typer.getchar().lower()
        except (KeyboardInterrupt, EOFError):
            key = QUIT
        if key in ("\x03", "\x04"):
            key = QUIT
        if key in KEYS or key in (SKIP, QUIT):
            out.print(key, markup=False)
            return key


@app.command()
def train(
    ctx: typer.Context,
    labels: Annotated[Path | None, typer.Option("--labels", dir_okay=False,
                                                help="CSV with text,label or source,id,label (default: the labels stored by listener label).")] = None,
) -> None:
    """Adapt the learned model to your trade with your own labels; print cross-validated macro-F1 before and after.

    The new model is saved beside the database (the shipped one and earlier ones are kept);
    listener score --rescore applies it.

    Example: listener train --labels labelled.csv
    """
    from listener.analysis.evaluate import LabelsError, read_labels, stored_labels
    from listener.cli.app import model_errors
    from listener.sentiment import adapt, usermodel
    from listener.sentiment.dispatch import load_learned
    from listener.sentiment.masking import Masker
    from listener.sentiment.training import by_language, trainable
    from storage.scores import topic_queries

    config = state(ctx).config()
    engine = open_database(ctx)
    target = usermodel.models_dir(config.storage.url)
    if target is None:
        fail("the database is not a local SQLite file, so there is no folder beside it for the "
             "adapted model; run train against a SQLite copy, or set [scoring] model_path to use one",
             EXIT_USAGE)
    try:
        with engine.connect() as connection:
            items = read_labels(labels, connection) if labels else stored_labels(connection)
            masker = Masker(topic_queries(connection))
    except LabelsError as error:
        fail(str(error))
    if not items:
        fail(f"{labels}: no labelled rows" if labels else
             "no labels stored yet: label some with listener label, or give --labels FILE", EXIT_USAGE)
    with model_errors():
        base = load_learned(None)  # always from the shipped model: earlier adaptations are not compounded
        chosen, left = trainable(by_language(items, masker, config.scoring.default_language),
                                 base.languages())
        for lang, reason in left.items():
            out.print(f"{lang}: left out ({reason})", markup=False)
        if not chosen:
            fail("no language has enough labels to adapt the model on", EXIT_USAGE)
        corrections = {}
        for lang, (texts, truth) in chosen.items():
            x, weights, bias = adapt.model_parts(base, texts, lang)
            before, after = adapt.cross_validate(x, truth, weights, bias)
            out.print(f"{lang}: {len(texts)} labels, cross-validated macro-F1 {before:.3f} -> {after:.3f}",
                      markup=False)
            corrections[lang] = adapt.fit(x, truth, weights, bias)
        saved = adapt.save_adapted(base, corrections, target)
    out.print(f"saved {saved}; the shipped model and earlier ones are unchanged. "
              "Run listener score --rescore to apply it", markup=False)
    if config.scoring.model_path:
        out.print(f"note: [scoring] model_path = {config.scoring.model_path} is set, so scoring keeps "
                  "using that model until you point it here or remove it", markup=False)
    if config.scoring.model != "learned":
        out.print('note: [scoring] model = "vader": set model = "learned" to score with it',
                  markup=False)
