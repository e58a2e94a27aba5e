import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listener.sentiment import features
from listener.sentiment.features import NOT, SKIP, Featurizer, LinearScorer, tokens

TEXTS = [
    "I do NOT like this at all!! but I love the staff :D 😡",
    "@united sooooo good &amp; fast https://t.co/x",
    "Je ne suis pas content, c'est nul",
    "",
    "😂😂",
    "word word word",
]


def dense_logits(featurizer, weights, bias, texts):
    """The training route: the CSR rows of Featurizer.matrix times the weights."""
    data, columns, indptr = featurizer.matrix(texts)
    out = np.zeros((len(texts), weights.shape[1]))
    for row in range(len(texts)):
        span = slice(indptr[row], indptr[row + 1])
        out[row] = data[span] @ weights[columns[span]]
    return out + bias


def test_fast_scores_equal_the_training_features_times_the_weights():
    featurizer = Featurizer(12, ("vader-en", "vader-fr"), 2.0)
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(featurizer.dim, 3)).astype(np.float32)
    bias = np.array([0.1, 0.0, -0.1], dtype=np.float32)
    scorer = LinearScorer(featurizer, weights, bias)
    expected = dense_logits(featurizer, weights, bias, TEXTS)
    assert np.allclose(scorer.logits(TEXTS), expected, atol=1e-4)
    assert np.allclose(scorer.logits(TEXTS[::-1]), expected[::-1], atol=1e-4)  # warm cache


def test_contributions_add_up_to_the_logits_without_the_bias():
    featurizer = Featurizer(10)
    weights = np.random.default_rng(1).normal(size=(featurizer.dim, 3)).astype(np.float32)
    scorer = LinearScorer(featurizer, weights, np.zeros(3))
    text = "the service was slow but the coffee was great"
    total = sum(vector for _, vector in scorer.contributions(text))
    assert np.allclose(total, scorer.logits([text])[0], atol=1e-4)


def test_a_full_cache_starts_afresh_between_batches_with_the_same_scores(monkeypatch):
    featurizer = Featurizer(10)
    weights = np.random.default_rng(2).normal(size=(featurizer.dim, 3)).astype(np.float32)
    scorer = LinearScorer(featurizer, weights, np.zeros(3))
    before = scorer.logits(TEXTS)
    monkeypatch.setattr(features, "CACHE_MAX", 5)
    assert np.allclose(scorer.logits(TEXTS), before, atol=1e-5)
    assert len(scorer._ids) < 40


def test_handles_carry_no_features():
    featurizer = Featurizer(10)
    weights = np.random.default_rng(3).normal(size=(featurizer.dim, 3)).astype(np.float32)
    scorer = LinearScorer(featurizer, weights, np.zeros(3))
    assert np.allclose(scorer.logits(["@bob thanks", "thanks @alice"]), scorer.logits(["thanks"] * 2))
    assert featurizer.matrix(["@bob"])[1].size == 0


def test_negation_marks_the_next_words_until_an_exclamation():
    found = tokens("I don't like it, not good!! so great")
    assert found[:4] == ["i", "don't", NOT + "like", NOT + "it"]
    assert found[-2:] == ["so", "great"]


def test_emoticons_emoji_and_any_script_are_tokens():
    assert tokens("great :) <3 😡 привет 你好") == ["great", ":)", "<3", "😡", "привет", "你好"]


def test_elongated_words_share_their_features():
    featurizer = Featurizer(16)
    assert featurizer.token_features("sooooo")[1] == featurizer.token_features("sooo")[1]


def test_lexicons_are_found_without_accents():
    french = features.lexicon("vader-fr")
    assert french[features.plain("déçu")] < 0
    assert features.lexicon("vader-en")["good"] > 0


def test_weights_must_fit_the_features():
    with pytest.raises(ValueError, match="rows"):
        LinearScorer(Featurizer(8), np.zeros((10, 3)), np.zeros(3))


@given(st.text())
def test_tokens_never_span_a_space_so_chunks_can_be_read_one_by_one(text):
    low = features.lowered(text)
    assert features._TOKEN_RE.findall(low) == [
        token for chunk in low.split(" ") for token in features._TOKEN_RE.findall(chunk)]


_PIECES = ["good", "not", "bad", "pas", "mal", "don't", "like", "it", "!!", ":)", "😡", "@bob",
           "great,", "coffee!", "12", "soooo", "déçu", "n't", "never", "?"]



@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*_PIECES, "pas!", "not,", "never:)"]), max_size=12).map(" ".join),
                min_size=1, max_size=8))
def test_texts_read_chunk_by_chunk_give_the_tokens_of_the_whole_text_negations_marked(texts):
    featurizer = Featurizer(10)
    scorer = LinearScorer(featurizer, np.zeros((featurizer.dim, 3), dtype=np.float32), np.zeros(3))
    scorer.logits(texts[::2])  # some chunks already seen, with and without a negation before them
    ids, lengths = scorer._token_ids(texts)
    names = {index: token for token, index in scorer._ids.items()}
    read = iter(names[i] for i in ids.tolist())
    assert [[next(read) for _ in range(n)] for n in lengths.tolist()] == [
        [token for token in tokens(text) if token not in SKIP] for text in texts]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map(" ".join), min_size=1, max_size=8))
def test_scores_do_not_depend_on_the_chunks_seen_before(texts):
    featurizer = Featurizer(10, ("vader-en",))
    weights = np.random.default_rng(4).normal(size=(featurizer.dim, 3)).astype(np.float32)
    warm = LinearScorer(featurizer, weights, np.zeros(3))
    cold = LinearScorer(featurizer, weights, np.zeros(3))
    warm.logits(texts)
    cold.logits(texts)
    cold._forget_chunks()  # same token ids, nothing remembered of the chunks
    again = texts[::-1] + ["not " + text for text in texts]
    assert np.array_equal(warm.logits(again), cold.logits(again))
    assert np.allclose(warm.logits(again), dense_logits(featurizer, weights, np.zeros(3), again), atol=1e-4)
