"""Corrected label shares: adjusted classify-and-count with a known confusion matrix.

A classifier's label counts are biased: it sends a fixed share of each true class
to each predicted label, so the class it confuses most is under-counted whatever
the sample. With the confusion matrix ``C`` measured on held-out labelled data
(``C[i, j] = P(predicted j | true i)``), the observed predicted shares ``q``
are, in expectation, ``C.T @ p`` for the true shares ``p``; solving that system
gives an unbiased estimate of ``p`` (Forman 2008, "Quantifying counts and costs
via classification"). The solution can leave the simplex on small samples, so
it is clipped at 0 and renormalised.

Each language is corrected with its own matrix (a model errs differently in
French and in English), turned back into estimated true counts, and the counts
are added up. The 90 % interval comes from a parametric bootstrap that redraws
both the observed counts (multinomial, per language) and every row of every
confusion matrix (multinomial with that row's labelled support), so a matrix
measured on few labelled items widens the interval as it should.

Pure functions, no I/O except :func:`shipped_calibrations`, which reads the
model card once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

LABELS = ("negative", "neutral", "positive")
LEVEL = 0.90
WIDE_BELOW = 30  # fewer scored mentions than this: the interval is called wide
REPLICATES = 2_000
SEED = 20_171_104  # fixed: the same counts always give the same interval


@dataclass(frozen=True, eq=False)
class Calibration:
    """How a scorer's labels relate to people's, measured on ``n`` labelled items.

    ``confusion[i, j]`` is P(predicted ``LABELS[j]`` | true ``LABELS[i]``); each row
    sums to 1. ``support`` holds the labelled items per true class (rows); when
    unknown it is taken as ``n`` split evenly.
    """

    confusion: np.ndarray
    n: int
    source: str
    support: tuple[int, int, int] | None = None

    def __post_init__(self) -> None:
        matrix = np.array(self.confusion, dtype=float)
        if matrix.shape != (3, 3) or not np.isfinite(matrix).all() or (matrix < 0).any():
            raise ValueError(f"confusion ({self.source}) must be a 3x3 matrix of shares >= 0")
        if not np.allclose(matrix.sum(axis=1), 1.0, atol=1e-3):
            raise ValueError(f"confusion ({self.source}): every row must sum to 1, "
                             f"got {matrix.sum(axis=1).round(3).tolist()}")
        matrix /= matrix.sum(axis=1, keepdims=True)
        matrix.setflags(write=False)
        object.__setattr__(self, "confusion", matrix)
        if self.n < 1:
            raise ValueError(f"calibration ({self.source}) needs n >= 1 labelled items")
        if self.support is not None:
            if len(self.support) != 3 or min(self.support) < 0:
                raise ValueError(f"support ({self.source}) must be three counts >= 0")
            object.__setattr__(self, "support", tuple(int(s) for s in self.support))

    @classmethod
    def from_counts(cls, counts: Sequence[Sequence[int]] | np.ndarray, source: str) -> Calibration:
        """From a 3x3 table of labelled items (rows true, columns predicted, in :data:`LABELS` order).

        A true class with no labelled item gets the identity row (no correction for it).
        """
        table = np.asarray(counts, dtype=float)
        if table.shape != (3, 3) or (table < 0).any():
            raise ValueError(f"counts ({source}) must be a 3x3 table of counts >= 0")
        support = table.sum(axis=1)
        rows = np.where(support[:, None] > 0, table / np.maximum(support, 1)[:, None], np.eye(3))
        return cls(rows, int(table.sum()), source, tuple(int(s) for s in support))

    def row_support(self) -> np.ndarray:
        if self.support is not None:
            return np.maximum(np.array(self.support, dtype=np.int64), 1)
        return np.full(3, max(1, self.n // 3), dtype=np.int64)

    def as_dict(self) -> dict[str, object]:
        return {"confusion": np.round(self.confusion, 6).tolist(), "n": self.n,
                "source": self.source, "support": list(self.support) if self.support else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Calibration:
        support = data.get("support")
        return cls(np.array(data["confusion"], dtype=float), int(data["n"]),  # type: ignore[arg-type]
                   str(data["source"]), tuple(support) if support else None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Adjusted:
    """Corrected shares of one set of scored mentions, beside the raw counts they come from."""

    raw: dict[str, int]  # observed label counts, summed over languages
    shares: dict[str, float]  # corrected, sum 1 (all 0 when nothing was scored)
    net: float  # shares positive - negative
    net_interval: tuple[float, float]  # 90 %
    raw_net: float  # (raw positive - raw negative) / scored
    scored: int
    wide: bool  # scored < WIDE_BELOW: say the interval is wide
    share_intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # 90 %, per label


def correct_shares(counts: Sequence[float] | np.ndarray, confusion: np.ndarray) -> np.ndarray:
    """True label shares estimated from observed label counts (clipped at 0, renormalised)."""
    return _correct(np.asarray(counts, dtype=float)[None, :], np.asarray(confusion)[None])[0]


def _correct(counts: np.ndarray, confusions: np.ndarray) -> np.ndarray:
    """Vectorised :func:`correct_shares`: counts (B, 3), confusions (B or 1, 3, 3) -> shares (B, 3)."""
    totals = counts.sum(axis=1, keepdims=True)
    observed = counts / np.maximum(totals, 1)
    transposed = np.broadcast_to(np.swapaxes(confusions, 1, 2), (len(counts), 3, 3))
    try:
        shares = np.linalg.solve(transposed, observed[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a singular matrix (a resampled row can be degenerate)
        shares = (np.linalg.pinv(transposed) @ observed[..., None])[..., 0]
    shares = np.clip(np.nan_to_num(shares, nan=0.0), 0.0, None)
    sums = shares.sum(axis=1, keepdims=True)
    # Clipping can leave nothing (a matrix far from the data): keep the observed shares then.
    return np.where(sums > 0, shares / np.where(sums > 0, sums, 1), observed)


def _label_counts(counts: Mapping[str, int]) -> np.ndarray:
    return np.array([max(0, int(counts.get(label, 0))) for label in LABELS], dtype=np.int64)


def _resampled_confusions(calibration: Calibration, replicates: int,
                          rng: np.random.Generator) -> np.ndarray:
    support = calibration.row_support()
    rows = [rng.multinomial(support[i], calibration.confusion[i], size=replicates) / support[i]
            for i in range(3)]
    return np.stack(rows, axis=1)  # (B, 3 true, 3 predicted)


def adjust(counts_by_language: Mapping[str, Mapping[str, int]],
           calibrations: Mapping[str, Calibration], *, level: float = LEVEL,
           replicates: int = REPLICATES, seed: int = SEED) -> Adjusted:
    """Corrected shares over several languages, with a ``level`` interval (see the module doc).

    ``counts_by_language`` maps a language to its observed label counts
    (``{"en": {"negative": 12, "neutral": 40, "positive": 30}}``; other keys such as
    ``"unscored"`` are ignored). A language without a calibration is left uncorrected.
    """
    rng = np.random.default_rng(seed)
    raw = np.zeros(3, dtype=np.int64)
    estimate = np.zeros(3)
    draws = np.zeros((replicates, 3))
    for lang in sorted(counts_by_language):
        counts = _label_counts(counts_by_language[lang])
        scored = int(counts.sum())
        if scored == 0:
            continue
        raw += counts
        resampled = rng.multinomial(scored, counts / scored, size=replicates).astype(float)
        calibration = calibrations.get(lang)
        if calibration is None:
            estimate += counts
            draws += resampled
            continue
        estimate += scored * correct_shares(counts, calibration.confusion)
        draws += scored * _correct(resampled, _resampled_confusions(calibration, replicates, rng))
    scored = int(raw.sum())
    if scored == 0:
        nothing = dict.fromkeys(LABELS, 0.0)
        return Adjusted(dict.fromkeys(LABELS, 0), nothing, 0.0, (-1.0, 1.0), 0.0, 0, True,
                        dict.fromkeys(LABELS, (0.0, 1.0)))
    shares = estimate / estimate.sum()
    draw_shares = draws / draws.sum(axis=1, keepdims=True)
    tail = (1 - level) / 2 * 100

    def interval(values: np.ndarray, point: float) -> tuple[float, float]:
        low, high = np.percentile(values, [tail, 100 - tail])
        # The percentile interval of a clipped estimator can miss its own point estimate.
        return float(min(low, point)), float(max(high, point))

    net = float(shares[2] - shares[0])
    return Adjusted(
        raw={label: int(count) for label, count in zip(LABELS, raw, strict=True)},
        shares={label: float(share) for label, share in zip(LABELS, shares, strict=True)},
        net=net,
        net_interval=interval(draw_shares[:, 2] - draw_shares[:, 0], net),
        raw_net=float(raw[2] - raw[0]) / scored,
        scored=scored,
        wide=scored < WIDE_BELOW,
        share_intervals={label: interval(draw_shares[:, i], float(shares[i]))
                         for i, label in enumerate(LABELS)},
    )


def shipped_calibrations(scorer: str) -> dict[str, Calibration]:
    """Per-language calibrations shipped in the model card for ``scorer``
    (``"learned-1"``, ``"vader-en"``, ``"vader-fr"``); ``{}`` for a scorer it does not know.

    Raises :class:`~listener.sentiment.card.ModelFileError` when the card is missing or corrupt.
    """
    from listener.sentiment.card import load_card

    entries = load_card().get("calibrations", {}).get(scorer, {})
    return {lang: Calibration.from_dict(data) for lang, data in entries.items()}
