"""Labelled texts made ready to adapt the learned model: masked and routed as scoring does.

A labelled mention is trained on exactly what the scorer will see: its topics'
terms, handles and hashtags masked, in the language routing gives it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from listener.language import route
from listener.sentiment.masking import Masker, masked

MIN_PER_LANGUAGE = 30  # fewer labels than this in a language: nothing to learn from there


def by_language(items: Sequence[Any], masker: Masker | None,
                default_language: str | None) -> dict[str, tuple[list[str], list[str]]]:
    """(masked texts, labels) per routed language, for labelled ``items`` (text, label, lang, topics)."""
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for item in items:
        topics = item.topics or (masker.matching(item.text) if masker else [])
        clean = masked(item.text, masker.terms(topics) if masker else ())
        lang = route(clean, item.lang, default_language).code
        texts, labels = groups.setdefault(lang, ([], []))
        texts.append(clean)
        labels.append(item.label)
    return groups


def trainable(groups: Mapping[str, tuple[list[str], list[str]]], languages: frozenset[str],
              minimum: int = MIN_PER_LANGUAGE) -> tuple[dict[str, tuple[list[str], list[str]]], dict[str, str]]:
    """The groups to adapt, and why each other group is left out."""
    chosen, left = {}, {}
    for lang, (texts, labels) in sorted(groups.items()):
        if lang not in languages:
            left[lang] = f"{len(texts)} labels; the learned model does not score this language"
        elif len(texts) < minimum:
            left[lang] = f"{len(texts)} labels; at least {minimum} are needed"
        else:
            chosen[lang] = (texts, labels)
    return chosen, left
