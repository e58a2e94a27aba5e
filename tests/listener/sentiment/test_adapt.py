from __future__ import annotations

import zlib

import numpy as np

from listener.sentiment.adapt import CLASSES, Sparse, cross_validate, fit, logits, predict

BUCKETS = 1 << 10


def bag_of_words(texts):
    """Hashed word counts: the shape of the learned model's features, small enough to read."""
    data, indices, indptr = [], [], [0]
    for text in texts:
        words = {}
        for word in text.lower().split():
            bucket = zlib.crc32(word.encode()) % BUCKETS
            words[bucket] = words.get(bucket, 0) + 1.0
        indices += list(words)
        data += list(words.values())
        indptr.append(len(indices))
    return Sparse(np.array(data), np.array(indices), np.array(indptr))


def shipped():
    """A general model: "great" positive, "awful" negative, nothing about this trade."""
    weights = np.zeros((BUCKETS, 3), dtype=np.float32)
    for word, label, value in (("great", "positive", 3.0), ("awful", "negative", 3.0)):
        weights[zlib.crc32(word.encode()) % BUCKETS, CLASSES.index(label)] = value
    return weights, np.array([0.0, 0.5, 0.0])  # neutral unless a word says otherwise


# In this trade (a game studio), "crash" is a complaint and "sick" is praise.
FILLER = ("today", "again", "the", "map", "level", "server", "my", "this")
TRADE = [(f"{FILLER[i % 8]} {word} {FILLER[(i + shift) % 8]}", label)
         for word, label, shift in (("crash", "negative", 3), ("sick", "positive", 5),
                                    ("patch", "neutral", 1))
         for i in range(20)]


def test_logits_of_sparse_rows_match_the_dense_product():
    x = bag_of_words(["great great day", "awful"])
    weights, bias = shipped()
    dense = np.zeros((2, BUCKETS))
    for row, (start, end) in enumerate(zip(x.indptr[:-1], x.indptr[1:], strict=True)):
        dense[row, x.indices[start:end]] = x.data[start:end]
    assert np.allclose(logits(x, weights, bias), dense @ weights + bias)


def test_adapting_learns_the_trades_words_and_keeps_the_general_ones():
    weights, bias = shipped()
    texts, labels = zip(*TRADE, strict=True)
    correction = fit(bag_of_words(texts), labels, weights, bias)
    probe = bag_of_words(["another crash today", "so sick", "great stuff", "awful stuff"])
    assert predict(probe, weights, bias) == ["neutral", "neutral", "positive", "negative"]
    assert predict(probe, weights, bias, correction) == ["negative", "positive", "positive",
                                                        "negative"]
    adapted, _ = correction.apply(weights, bias)
    great = zlib.crc32(b"great") % BUCKETS
    assert np.array_equal(adapted[great], weights[great])  # a word the labels never use stays put
    assert not np.array_equal(adapted, weights)


def test_cross_validation_reports_before_and_after_on_held_out_folds():
    weights, bias = shipped()
    texts, labels = zip(*TRADE, strict=True)
    before, after = cross_validate(bag_of_words(texts), list(labels), weights, bias)
    assert before < 0.4 and after > 0.9
