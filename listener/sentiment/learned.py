"""The learned sentiment scorer: multinomial logistic regression on hashed features, numpy only.

The shipped files (``listener/sentiment/data/``) are the model card
(``card.json``: which head scores which language, each language's measured
macro-F1 and confusion matrix, the calibrations used for corrected totals) and
one ``.npz`` per head (float16 weights, one column per class). They are
rebuilt by ``python -m listener.sentiment.train --data DIR``.

A language is scored only when its validation macro-F1 passed the bar at
training time (:meth:`LearnedModel.languages`); the others stay "not scored".
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from listener.sentiment.card import CARD_FILE, DATA_DIR, ModelFileError, read_card
from listener.sentiment.features import NOT, Featurizer, LinearScorer

LABELS = ("negative", "neutral", "positive")

__all__ = ["LABELS", "LearnedModel", "ModelFileError", "load_default"]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _load_head(path: Path, spec: dict[str, Any]) -> LinearScorer:
    try:
        # our own handle: np.load leaves the file open when the archive is corrupt
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as arrays:
            weights, bias = arrays["weights"], arrays["bias"]
        featurizer = Featurizer(int(spec["bits"]), spec.get("lexicons", ()),
                                float(spec.get("lexicon_scale", 1.0)))
        if weights.shape != (featurizer.dim, len(LABELS)) or bias.shape != (len(LABELS),):
            raise ValueError(f"weights {weights.shape}, bias {bias.shape} do not fit {spec}")
        if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
            raise ValueError("weights that are not finite numbers")
        return LinearScorer(featurizer, weights, bias)
    except FileNotFoundError:
        raise ModelFileError(path, "missing") from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise ModelFileError(path, f"unreadable ({error})") from None


class LearnedModel:
    """Scores texts of the languages it passed validation for; see the module doc."""

    def __init__(self, card: dict[str, Any], heads: dict[str, LinearScorer],
                 path: Path | None = None) -> None:
        self.card = card
        self.path = path  # the directory it was loaded from (None: the shipped files)
        self.name: str = card["name"]
        self._heads = heads
        self._routes = {lang: info["head"] for lang, info in card["languages"].items()}
        self._languages = frozenset(lang for lang, info in card["languages"].items()
                                    if info.get("scored"))
        self._lock = threading.Lock()  # the heads' token caches grow while scoring

    @classmethod
    def load(cls, path: Path | None = None) -> LearnedModel:
        """The model in directory ``path`` (default: the files shipped in the package)."""
        directory = DATA_DIR if path is None else Path(path)
        card_path = directory / CARD_FILE
        card = read_card(card_path)
        try:
            heads = {name: _load_head(directory / spec["file"], spec)
                     for name, spec in card["heads"].items()}
            for lang, info in card["languages"].items():
                if info["head"] not in heads:
                    raise KeyError(f"language {lang} names head {info['head']!r}, which is not listed")
            return cls(card, heads, path)
        except (KeyError, TypeError, AttributeError) as error:
            raise ModelFileError(card_path, f"incomplete ({error})") from None

    def __reduce__(self) -> tuple[Any, tuple[Path | None]]:
        """Pickles as where it came from (a spawned pool worker loads it again)."""
        return (type(self).load, (self.path,))

    def languages(self) -> frozenset[str]:
        """Languages this model may score (validation macro-F1 passed the bar)."""
        return self._languages

    def _head(self, lang: str, any_language: bool = False) -> LinearScorer:
        if any_language and lang in self._routes:
            return self._heads[self._routes[lang]]
        if lang not in self._languages:
            raise ValueError(f"the learned model does not score language {lang!r} "
                             f"(it scores {', '.join(sorted(self._languages))})")
        return self._heads[self._routes[lang]]

    def warm(self, lang: str) -> None:
        """Read now what scoring ``lang`` needs beyond the weights (its head's lexicons): before
        forking pool workers, which then share them instead of each reading them."""
        _ = self._head(lang).featurizer.lexicons

    def predict_proba(self, texts: Sequence[str], lang: str, *,
                      any_language: bool = False) -> np.ndarray:
        """(n, 3) probabilities, columns negative, neutral, positive.

        ``texts`` are raw or masked mention texts (they are normalised here). A language
        outside :meth:`languages` raises ValueError, unless ``any_language`` (for measuring
        the languages that missed the bar).
        """
        head = self._head(lang, any_language)
        if not texts:
            return np.zeros((0, len(LABELS)))
        with self._lock:
            logits = head.logits(texts)
        return _softmax(logits)

    def score_batch(self, texts: Sequence[str], lang: str) -> list[tuple[str, float]]:
        """(label, compound) per text: the most probable label, and P(positive) - P(negative).

        The label is the argmax (the one the confusion matrices were measured on), not a
        threshold on the compound.
        """
        return scores_from(self.predict_proba(texts, lang))

    def explain(self, text: str, lang: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` words that pushed the score most, with their signed push.

        A word's push is its contribution to the positive logit minus its contribution to the
        negative one (a word's own features plus half of each word pair it is in), largest
        magnitude first; a repeated word counts once with its contributions added.
        """
        head = self._head(lang)
        with self._lock:
            contributions = head.contributions(text)
        pushes: dict[str, float] = {}
        for token, vector in contributions:
            word = token.removeprefix(NOT)
            pushes[word] = pushes.get(word, 0.0) + float(vector[2] - vector[0])
        ranked = sorted(pushes.items(), key=lambda item: -abs(item[1]))
        return [(word, round(push, 4)) for word, push in ranked[:k] if push != 0.0]


def scores_from(probabilities: np.ndarray) -> list[tuple[str, float]]:
    """(label, compound) per row of :meth:`LearnedModel.predict_proba`'s output."""
    labels = probabilities.argmax(axis=1).tolist()
    compounds = (probabilities[:, 2] - probabilities[:, 0]).tolist()
    return [(LABELS[label], round(compound, 4)) for label, compound in zip(labels, compounds, strict=True)]


@lru_cache(maxsize=1)
def load_default() -> LearnedModel:
    """The shipped model, loaded once per process."""
    return LearnedModel.load()
