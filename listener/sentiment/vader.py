"""VADER adapters: the English lexicon (vaderSentiment) and its French adaptation.

Both are used through their public ``SentimentIntensityAnalyzer.polarity_scores``
only; a project's ``[scoring] lexicon`` / ``lexicon_fr`` overrides are merged into
the analyzer's public ``lexicon`` dict. A scorer pickles as its settings and is
rebuilt on load, so it travels cheaply to pool workers.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from listener.sentiment.result import Score

THRESHOLD = 0.05  # VADER's own: positive >= 0.05, negative <= -0.05
_PUNCTUATION = "!\"#$%&()*+,./:;<=>?@[\\]^_`{|}~«»“”‘’…"


def label_for(compound: float) -> str:
    if compound >= THRESHOLD:
        return "positive"
    if compound <= -THRESHOLD:
        return "negative"
    return "neutral"


class _Vader:
    """VADER with per-project lexicon overrides. Pickles as its settings, rebuilt on load."""

    name: ClassVar[str]
    lang: ClassVar[str]

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self.analyzer = self._build()

    def _new_analyzer(self) -> Any:
        raise NotImplementedError

    def key(self, word: str) -> str:
        """How the lexicon spells ``word``."""
        return word.lower()

    def _build(self) -> Any:
        analyzer = self._new_analyzer()
        for word, valence in self.overrides.items():
            analyzer.lexicon[self.key(word)] = float(valence)
        return analyzer

    def __getstate__(self) -> dict[str, Any]:
        return {"overrides": self.overrides}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.overrides = state["overrides"]
        self.analyzer = self._build()

    def score(self, text: str) -> Score:
        result = self.analyzer.polarity_scores(text)
        compound = float(result["compound"])
        return Score(label_for(compound), compound, float(result["pos"]), float(result["neu"]),
                     float(result["neg"]), self.name)

    def score_batch(self, texts: Sequence[str]) -> list[Score]:
        return [self.score(text) for text in texts]

    def valence(self, word: str) -> float | None:
        """The lexicon's valence of one word (None: not in the lexicon)."""
        value = self.analyzer.lexicon.get(self.key(word))
        return None if value is None else float(value)

    def explain(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` words (or emoticons) of ``text`` with the strongest lexicon valence, signed.

        The lexicon's own values, before VADER's rules (negation, "but", boosters,
        capitals) adjust them: what a person reads as "the words that pushed it".
        """
        found: dict[str, float] = {}
        for token in text.split():
            for candidate in (token, token.strip(_PUNCTUATION)):
                value = self.valence(candidate) if candidate else None
                if value:
                    found.setdefault(candidate.lower(), value)
                    break
        return sorted(found.items(), key=lambda item: -abs(item[1]))[:k]


class VaderEnglish(_Vader):
    name = "vader-en"
    lang = "en"

    def _new_analyzer(self) -> Any:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()


class VaderFrench(_Vader):
    """The French adaptation of VADER (package vadersentiment-fr); its lexicon keys carry no accents."""

    name = "vader-fr"
    lang = "fr"

    def _new_analyzer(self) -> Any:
        with warnings.catch_warnings():
            # fuzzywuzzy warns about its pure-Python matcher; polarity_scores never uses it.
            warnings.simplefilter("ignore", UserWarning)
            from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()

    def key(self, word: str) -> str:
        import unidecode

        return unidecode.unidecode(word.lower())


VADER: dict[str, type[_Vader]] = {cls.lang: cls for cls in (VaderEnglish, VaderFrench)}
