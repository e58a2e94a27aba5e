"""The dispatcher: which scorer scores a text, by its language.

A language without a scorer gets :data:`~listener.sentiment.result.UNSCORED`
("not scored"); the English lexicon never scores another language. Scorers are
built lazily, and each distinct (text, language) is scored once per process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from listener.sentiment.result import UNSCORED, Score, Scorer
from listener.sentiment.vader import VADER

CACHE_MAX = 200_000  # (masked text, language) scores remembered per process


def overrides_from(config: Any) -> dict[str, dict[str, float]]:
    """Lexicon overrides per language from a ``ScoringConfig`` (or None)."""
    if config is None:
        return {}
    return {"en": dict(config.lexicon), "fr": dict(config.lexicon_fr)}


class Sentiment:
    """Every registered scorer, built lazily, with one set of lexicon overrides.

    ``default_language`` is where texts too short or too ambiguous for the
    language detector go (see :func:`listener.language.route`); None trusts every
    guess. Picklable: it travels to pool workers as its settings only.
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, float]] | None = None,
                 registry: Mapping[str, Any] | None = None, *,
                 default_language: str | None = "en") -> None:
        self.overrides = {lang: dict(words) for lang, words in (overrides or {}).items()}
        self.registry = dict(VADER if registry is None else registry)
        self.default_language = default_language
        self._scorers: dict[str, Scorer] = {}
        self._cache: dict[tuple[str, str], Score] = {}  # bounded: (text, lang) -> score

    @classmethod
    def from_config(cls, config: Any) -> Sentiment:
        """The dispatcher a ``ScoringConfig`` (or a whole ``Config``, or None: defaults) asks for."""
        scoring = getattr(config, "scoring", config)
        if scoring is None:
            return cls()
        return cls(overrides_from(scoring), default_language=scoring.default_language)

    def __getstate__(self) -> dict[str, Any]:
        return {"overrides": self.overrides, "registry": self.registry,
                "default_language": self.default_language}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["overrides"], state["registry"],  # type: ignore[misc]
                      default_language=state["default_language"])

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

    def explain(self, text: str, lang: str, k: int = 5) -> list[tuple[str, float]]:
        """The words of ``text`` that pushed its score, signed, strongest first ([] if not scored)."""
        if lang not in self.registry:
            return []
        return self.scorer(lang).explain(text, k)

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> list[Score]:
        """The score of each (text, language) pair, in order.

        Each distinct pair is computed once (and remembered, up to :data:`CACHE_MAX`),
        and the texts of one language go to its scorer as one batch.
        """
        wanted: dict[str, dict[str, None]] = {}
        for text, lang in pairs:
            if lang in self.registry and (text, lang) not in self._cache:
                wanted.setdefault(lang, {})[text] = None
        fresh: dict[tuple[str, str], Score] = {}
        for lang, texts in wanted.items():
            batch = list(texts)
            fresh.update(zip(((t, lang) for t in batch), self.scorer(lang).score_batch(batch),
                             strict=True))
        if len(self._cache) + len(fresh) > CACHE_MAX:
            self._cache.clear()
        self._cache.update(fresh)
        return [self._cache.get((text, lang), UNSCORED) for text, lang in pairs]

