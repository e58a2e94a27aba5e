"""Which confusion matrix corrects a scorer's label shares: the user's own, when there are enough labels.

The shipped matrices were measured on public labelled tweets; a trade's own
language (a bank's complaints, a game's slang) confuses a scorer differently.
Once a language has :data:`MIN_LABELS` labelled mentions scored by the scorer,
the matrix measured on them replaces the shipped one for that language.
"""

from __future__ import annotations

from sqlalchemy import Connection

from listener.sentiment.adjust import Calibration, shipped_calibrations
from storage.labels import confusion_counts

MIN_LABELS = 50


def user_calibrations(connection: Connection, scorer: str,
                      minimum: int = MIN_LABELS) -> dict[str, Calibration]:
    """Per language, the confusion of ``scorer`` against the stored labels (languages with enough)."""
    found = {}
    for lang, table in confusion_counts(connection, scorer).items():
        if sum(map(sum, table)) >= minimum:
            found[lang] = Calibration.from_counts(table, f"your labels ({scorer}, {lang})")
    return found


def calibrations_for(connection: Connection, scorer: str,
                     minimum: int = MIN_LABELS) -> dict[str, Calibration]:
    """The calibration of each language for ``scorer``: the user's where there are at least
    ``minimum`` labels, else the one shipped with the model card."""
    return {**shipped_calibrations(scorer), **user_calibrations(connection, scorer, minimum)}
