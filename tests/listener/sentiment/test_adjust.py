import numpy as np
import pytest

from listener.sentiment.adjust import (
    LABELS,
    Adjusted,
    Calibration,
    adjust,
    correct_shares,
)

# A scorer that misses complaints: a third of the negatives come out neutral or positive.
CONFUSION = np.array([
    [0.55, 0.30, 0.15],
    [0.10, 0.75, 0.15],
    [0.03, 0.17, 0.80],
])


def simulate(rng, truth, confusion, n):
    """n items with true labels drawn from ``truth``, predicted through ``confusion``."""
    true = rng.choice(3, size=n, p=truth)
    predicted = np.array([rng.choice(3, p=confusion[t]) for t in true])
    return true, predicted


def counts_of(predicted):
    return dict(zip(LABELS, np.bincount(predicted, minlength=3).tolist(), strict=True))


def estimated_calibration(rng, n=1_500):
    true, predicted = simulate(rng, [1 / 3, 1 / 3, 1 / 3], CONFUSION, n)
    table = np.zeros((3, 3), dtype=int)
    np.add.at(table, (true, predicted), 1)
    return Calibration.from_counts(table, "synthetic held-out")


def test_corrected_shares_are_closer_to_the_truth_than_the_raw_ones():
    rng = np.random.default_rng(1)
    truth = np.array([0.55, 0.25, 0.20])  # a complaint-heavy week
    calibration = estimated_calibration(rng)  # measured on separate labelled data
    _, predicted = simulate(rng, truth, CONFUSION, 4_000)
    result = adjust({"en": counts_of(predicted)}, {"en": calibration})
    raw = np.bincount(predicted, minlength=3) / len(predicted)
    corrected = np.array([result.shares[label] for label in LABELS])
    assert np.abs(corrected - truth).sum() < 0.5 * np.abs(raw - truth).sum()
    true_net = truth[2] - truth[0]
    assert abs(result.net - true_net) < 0.5 * abs(result.raw_net - true_net)


def test_the_interval_covers_the_true_net_about_as_often_as_it_says():
    rng = np.random.default_rng(7)
    covered = 0
    trials = 120
    for _ in range(trials):
        truth = rng.dirichlet([2, 2, 2])
        calibration = estimated_calibration(rng, n=600)
        _, predicted = simulate(rng, truth, CONFUSION, 300)
        result = adjust({"en": counts_of(predicted)}, {"en": calibration}, replicates=500)
        low, high = result.net_interval
        covered += low <= truth[2] - truth[0] <= high
    assert 0.82 <= covered / trials <= 0.99


def test_a_less_certain_confusion_matrix_widens_the_interval():
    counts = {"en": {"negative": 300, "neutral": 500, "positive": 400}}
    width = {}
    for n in (90, 9_000):
        calibration = Calibration(CONFUSION, n, "test", (n // 3,) * 3)
        low, high = adjust(counts, {"en": calibration}).net_interval
        width[n] = high - low
    assert width[90] > 1.5 * width[9_000]


def test_the_identity_confusion_leaves_the_shares_as_counted():
    counts = {"negative": 10, "neutral": 50, "positive": 40}
    result = adjust({"en": counts}, {"en": Calibration(np.eye(3), 1_000, "perfect")})
    assert result.shares == pytest.approx({"negative": 0.1, "neutral": 0.5, "positive": 0.4})
    assert result.net == pytest.approx(result.raw_net) == pytest.approx(0.3)
    assert result.raw == counts


def test_shares_outside_what_the_matrix_allows_are_clipped_and_renormalised():
    # Almost no negatives observed: more than the matrix's leakage explains, so p(negative) < 0.
    shares = correct_shares([1, 60, 39], CONFUSION)
    assert (shares >= 0).all()
    assert shares.sum() == pytest.approx(1.0)
    assert shares[0] == 0.0


def test_each_language_is_corrected_with_its_own_matrix_and_the_counts_added_up():
    english = {"negative": 20, "neutral": 50, "positive": 30}
    german = {"negative": 5, "neutral": 5, "positive": 10, "unscored": 99}
    calibration = Calibration(CONFUSION, 3_000, "en/val")
    result = adjust({"en": english, "de": german}, {"en": calibration})
    expected = 100 * correct_shares([20, 50, 30], CONFUSION) + np.array([5, 5, 10])
    assert [result.shares[label] for label in LABELS] == pytest.approx(expected / 120)
    assert result.scored == 120
    assert result.raw == {"negative": 25, "neutral": 55, "positive": 40}


def test_few_scored_mentions_are_flagged_wide():
    calibration = Calibration(CONFUSION, 3_000, "en/val")
    small = adjust({"en": {"negative": 3, "neutral": 10, "positive": 6}}, {"en": calibration})
    large = adjust({"en": {"negative": 30, "neutral": 100, "positive": 60}}, {"en": calibration})
    assert small.wide and not large.wide
    assert (small.net_interval[1] - small.net_interval[0]
            > large.net_interval[1] - large.net_interval[0])


def test_nothing_scored_gives_no_estimate_and_the_widest_interval():
    result = adjust({"en": {"negative": 0}, "fr": {}}, {})
    assert isinstance(result, Adjusted)
    assert result.scored == 0 and result.wide
    assert result.net_interval == (-1.0, 1.0)


def test_the_same_counts_give_the_same_interval():
    counts = {"en": {"negative": 7, "neutral": 20, "positive": 13}}
    calibration = {"en": Calibration(CONFUSION, 2_000, "en/val")}
    assert adjust(counts, calibration) == adjust(counts, calibration)


def test_a_singular_matrix_does_not_crash():
    degenerate = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    result = adjust({"en": {"negative": 4, "neutral": 5, "positive": 6}},
                    {"en": Calibration(degenerate, 30, "degenerate", (10, 10, 10))})
    assert sum(result.shares.values()) == pytest.approx(1.0)


def test_calibration_rejects_rows_that_are_not_shares():
    with pytest.raises(ValueError, match="row must sum to 1"):
        Calibration(np.full((3, 3), 0.5), 100, "bad")
    with pytest.raises(ValueError, match="3x3"):
        Calibration(np.eye(2), 100, "bad")


def test_calibration_from_counts_and_back_through_its_dict():
    calibration = Calibration.from_counts([[8, 2, 0], [1, 8, 1], [0, 0, 0]], "user labels")
    assert calibration.n == 20 and calibration.support == (10, 10, 0)
    assert calibration.confusion[2].tolist() == [0.0, 0.0, 1.0]  # no positives labelled: identity
    again = Calibration.from_dict(calibration.as_dict())
    assert np.allclose(again.confusion, calibration.confusion)
    assert (again.n, again.source, again.support) == (20, "user labels", (10, 10, 0))
