from __future__ import annotations

from datetime import datetime

import numpy as np

from listener.sentiment.calibration import MIN_LABELS, user_calibrations
from storage import labels, scores

NOW = datetime(2026, 11, 20, 9)


def _label_many(rows, pairs, lang="en", scorer="vader-en", start=0):
    out = []
    for number, (_truth, predicted) in enumerate(pairs, start):
        out.append({"mention_id": rows.mention(number, f"text {number}"), "lang": lang,
                    "lang_detected": True, "label": predicted, "compound": None, "pos": None,
                    "neu": None, "neg": None, "scorer": scorer, "scored_at": NOW})
    with rows.engine.begin() as c:
        scores.write(c, out)
        for row, (truth, _) in zip(out, pairs, strict=True):
            labels.record(c, row["mention_id"], truth, NOW)


def test_the_users_labels_give_a_calibration_once_a_language_has_enough(sqlite_rows):
    # VADER calls a third of the complaints positive: the user's own matrix shows it.
    pairs = ([("negative", "negative")] * 20 + [("negative", "positive")] * 10
             + [("neutral", "neutral")] * 10 + [("positive", "positive")] * 10)
    _label_many(sqlite_rows, pairs)
    _label_many(sqlite_rows, [("negative", "negative")] * 10, lang="fr", scorer="vader-fr",
                start=1_000)
    with sqlite_rows.engine.connect() as c:
        found = user_calibrations(c, "vader-en")
        assert set(found) == {"en"} and found["en"].n == MIN_LABELS == 50
        assert np.allclose(found["en"].confusion[0], [2 / 3, 0, 1 / 3])
        assert user_calibrations(c, "vader-fr") == {}  # 10 labels: not enough
        assert set(user_calibrations(c, "vader-fr", minimum=10)) == {"fr"}
