"""What every scorer returns for one text, and the shape a scorer has."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol


class Score(NamedTuple):  # a tuple: cheap to pickle back from pool workers
    label: str  # positive | neutral | negative | unscored
    compound: float | None
    pos: float | None
    neu: float | None
    neg: float | None
    scorer: str  # the scorer's name (vader-en, vader-fr, learned-1…) or "none"


UNSCORED = Score("unscored", None, None, None, None, "none")


class Scorer(Protocol):
    name: str
    lang: str

    def score(self, text: str) -> Score: ...

    def score_batch(self, texts: Sequence[str]) -> list[Score]: ...

    def explain(self, text: str, k: int = 5) -> list[tuple[str, float]]: ...
