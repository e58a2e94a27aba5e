"""The dispatcher: which scorer scores a text, by its language and ``[scoring] model``.

``model = "learned"`` (the default): the languages the learned model passed its
bar on are scored by it; French keeps vader-fr if the learned model did not
pass for French; every other language is "not scored". ``model = "vader"``:
English with VADER, French with vader-fr. Either way the English lexicon never
scores another language, and a language without a scorer gets
:data:`~listener.sentiment.result.UNSCORED`. Scorers are built lazily, and each
distinct (text, language) is scored once per process.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from listener.sentiment.card import DATA_DIR, ModelFileError
from listener.sentiment.result import UNSCORED, Score, Scorer
from listener.sentiment.vader import VADER

CACHE_MAX = 200_000  # (masked text, language) scores remembered per process
MODELS = ("learned", "vader")


def overrides_from(config: Any) -> dict[str, dict[str, float]]:
    """Lexicon overrides per language from a ``ScoringConfig`` (or None)."""
    if config is None:
        return {}
    return {"en": dict(config.lexicon), "fr": dict(config.lexicon_fr)}


class LearnedScorer:
    """One language of the learned model, shaped like every other scorer."""

    def __init__(self, model: Any, lang: str) -> None:
        self.model = model
        self.lang = lang
        self.name = model.name
        model.warm(lang)

    def score(self, text: str) -> Score:
        return self.score_batch([text])[0]

    def score_batch(self, texts: Sequence[str]) -> list[Score]:
        from listener.sentiment.learned import scores_from

        probabilities = self.model.predict_proba(texts, self.lang)  # columns negative, neutral, positive
        name = self.name
        # tolist(): Python floats for the whole batch at once, not three numpy scalars per row
        return [Score(label, compound, pos, neu, neg, name)
                for (label, compound), (neg, neu, pos)
                in zip(scores_from(probabilities), probabilities.tolist(), strict=True)]

    def explain(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        return self.model.explain(text, self.lang, k)


def load_learned(path: str | Path | None = None) -> Any:
    """The learned model: the one at ``path`` (a user's adapted model), else the shipped one.

    Raises :class:`~listener.sentiment.card.ModelFileError` (exit 2 in the CLI) when a
    model file is missing or corrupt, or when this installation has no learned model.
    """
    if importlib.util.find_spec("listener.sentiment.learned") is None:
        raise ModelFileError(DATA_DIR, "this installation has no learned model (use "
                             '[scoring] model = "vader")')
    from listener.sentiment.learned import LearnedModel, load_default

    return load_default() if path is None else LearnedModel.load(Path(path))


class Sentiment:
    """The scorer of each language, built lazily, with one set of settings.

    ``default_language`` is where texts too short or too ambiguous for the
    language detector go (see :func:`listener.language.route`); None trusts every
    guess. Picklable: it travels to pool workers as its settings only.
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, float]] | None = None, *,
                 model: str = "learned", model_path: str | Path | None = None,
                 default_language: str | None = "en") -> None:
        if model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
        self.overrides = {lang: dict(words) for lang, words in (overrides or {}).items()}
        self.model = model
        self.model_path = None if model_path is None else str(model_path)
        self.default_language = default_language
        self._registry: dict[str, Callable[[], Scorer]] | None = None
        self._scorers: dict[str, Scorer] = {}
        self._cache: dict[tuple[str, str], Score] = {}  # bounded: (text, lang) -> score

    @classmethod
    def from_config(cls, config: Any) -> Sentiment:
        """The dispatcher a ``ScoringConfig`` (or a whole ``Config``, or None: defaults) asks for."""
        from listener.sentiment.usermodel import model_path

        scoring = getattr(config, "scoring", config)
        if scoring is None:
            return cls()
        return cls(overrides_from(scoring), model=scoring.model, model_path=model_path(config),
                   default_language=scoring.default_language)

    def __getstate__(self) -> dict[str, Any]:
        return {"overrides": self.overrides, "model": self.model, "model_path": self.model_path,
                "default_language": self.default_language}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state.pop("overrides"), **state)  # type: ignore[misc]

    @property
    def registry(self) -> dict[str, Callable[[], Scorer]]:
        """Language -> how to build its scorer (loads the learned model on first use)."""
        if self._registry is None:
            vader = {lang: partial(cls, self.overrides.get(lang)) for lang, cls in VADER.items()}
            if self.model == "vader":
                self._registry = vader
            else:
                learned = load_learned(self.model_path)
                chosen: dict[str, Callable[[], Scorer]] = {
                    lang: partial(LearnedScorer, learned, lang) for lang in sorted(learned.languages())}
                # a language the learned model did not pass keeps its own lexicon, never English's
                chosen.update({lang: build for lang, build in vader.items()
                               if lang not in chosen and lang != "en"})
                self._registry = chosen
        return self._registry

    def warm(self) -> None:
        """Build every registered scorer now (before forking workers, which inherit them)."""
        for lang in self.registry:
            self.scorer(lang)

    def supports(self, lang: str) -> bool:
        return lang in self.registry

    def scorer(self, lang: str) -> Scorer:
        if lang not in self._scorers:
            self._scorers[lang] = self.registry[lang]()
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
        registry, cache = self.registry, self._cache
        wanted: dict[str, dict[str, None]] = {}
        for pair in pairs:  # the pairs themselves are the cache keys
            if pair not in cache and pair[1] in registry:
                wanted.setdefault(pair[1], {})[pair[0]] = None
        fresh: dict[tuple[str, str], Score] = {}
        for lang, texts in wanted.items():
            batch = list(texts)
            fresh.update(zip(((t, lang) for t in batch), self.scorer(lang).score_batch(batch),
                             strict=True))
        if len(cache) + len(fresh) > CACHE_MAX:
            cache.clear()
        cache.update(fresh)
        return [cache.get(pair, UNSCORED) for pair in pairs]

