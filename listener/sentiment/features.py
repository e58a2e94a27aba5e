"""Hashed word, word-pair and character n-gram features, and fast linear scores on them.

A text is normalised (:mod:`listener.sentiment.normalize`), lower-cased and cut
into tokens: words, emoticons, emoji, runs of ``!``/``?``. Each token
contributes

* its own hashed bucket (letters repeated three times or more folded to two:
  "soooo" is "soo"),
* the hashed character 2-5-grams of ``<token>`` (words only), which carry
  spelling variants and inflections across languages,
* its valence in each sentiment lexicon given (VADER's English list, the
  French one of vadersentiment-fr), as dense columns after the buckets,

and each pair of neighbouring tokens a hashed bucket of its own. ``@user``
(handles) carries no sentiment and is left out: stored mentions have their
handles masked before scoring, so the model must not lean on it.

A document's features are divided by the square root of its number of feature
occurrences (an L2 norm that ignores bucket collisions), so its linear score
is the sum of per-token and per-pair contributions divided by one number.
That is what makes scoring fast: :class:`LinearScorer` computes a token's
contribution once and caches it, and remembers the token ids of each
space-separated chunk it has read, so a text of known chunks costs a split and a
dict look-up per chunk; pairs and sums are done for a whole batch in numpy.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from itertools import chain
from pathlib import Path
from typing import cast

import numpy as np

from listener.sentiment.normalize import normalize, unfolded

NGRAMS = (2, 3, 4, 5)
MAX_WORD = 30  # characters of a token used for its n-grams
SKIP = frozenset({"@user"})
CACHE_MAX = 300_000  # tokens remembered by a LinearScorer before it starts afresh
CHUNKS_MAX = 300_000  # space-separated chunks remembered (with their token ids) before forgetting them

_TOKEN_RE = re.compile(
    r"""[<>]?[:;=8][\-o*']?[)\](\[dp/\\|}{@3]+(?!\w)   # emoticons (lower-cased: ":d", ":p")
    |<3+
    |@user
    |[^\W\d_]+(?:['’][^\W\d_]+)*                      # words, any script
    |\d+
    |[!?]+
    |[^\w\s.,;:"'()\[\]{}/\\\-–—_&*+=|~^`<>$%#…“”‘’¬]   # emoji and other symbols, one at a time""",
    re.VERBOSE,
)
_REPEATS_RE = re.compile(r"(.)\1{2,}")
# Negation words of the languages scored; the next NEGATED tokens are marked "¬token"
# (a separate feature, and their lexicon valence goes to the "negated" columns).
_NEGATIONS = frozenset(["not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "cannot", "without", "dont", "cant", "wont", "isnt", "ne", "pas", "jamais", "rien", "aucun", "aucune", "sans", "nunca", "nada", "ni", "sin", "non", "mai", "niente", "senza", "não", "nao", "nem", "sem", "nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals", "nichts", "ohne"])
NEGATED = 3  # tokens after a negation word, as VADER looks three words back
NOT = "¬"
_CONTRACTED = ("n't", "n’t")
_MASK32 = 0xFFFFFFFF
ChunkIds = list[tuple[int, ...]]  # the token ids of each chunk of a text


def lowered(text: str) -> str:
    """The normalised, lower-cased text that is cut into tokens (single spaces between chunks)."""
    return normalize(text).lower()


def chunks(text: str) -> list[str]:
    """``lowered(text).split(" ")`` (without an empty chunk), without joining them first."""
    return unfolded(text).lower().split()


def tokens(text: str) -> list[str]:
    """The tokens of a raw text, as the model sees them."""
    low = lowered(text)
    found = _TOKEN_RE.findall(low)
    if not (_NEGATIONS.isdisjoint(found) and "n't" not in low and "n’t" not in low):
        _mark_negations(found)
    return found


def _negates(token: str) -> bool:
    return token in _NEGATIONS or token.endswith(_CONTRACTED)


def _mark_negations(found: list[str], left: int = 0) -> int:
    """Mark in ``found`` the words after each negation (see :data:`NEGATED`), the first ``left``
    words too (read after a negation); how many words after it are still to be marked."""
    for i, token in enumerate(found):
        if left and token[0].isalpha():
            found[i] = NOT + token
            left -= 1
        elif token[0] in "!?":
            left = 0
        if token in _NEGATIONS or token.endswith(_CONTRACTED):  # _negates, inlined: a hot loop
            left = NEGATED
    return left


def plain(word: str) -> str:
    """``word`` without accents ("déçu" -> "decu"): how the lexicons are looked up."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Sentiment lexicons read from the installed VADER packages (their valences, on -4..4, scaled to
# -1..1): (package, file, separator between word and valence).
LEXICONS = {
    "vader-en": ("vaderSentiment", "vader_lexicon.txt", "\t"),
    "vader-fr": ("vaderSentiment_fr", "fr_lexicon.txt", "->"),
}


@cache
def lexicon(name: str) -> Mapping[str, float]:
    """One of :data:`LEXICONS` as {accent-free lower-case word: valence / 4}."""
    package, filename, separator = LEXICONS[name]
    spec = importlib.util.find_spec(package)  # finds the files without importing the package
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"the {name} lexicon needs the {package} package installed")
    valences: dict[str, float] = {}
    for line in (Path(spec.origin).parent / filename).read_text(encoding="utf-8").splitlines():
        word, _, rest = line.strip().partition(separator)
        value = rest.split("\t", 1)[0]
        if word and value:
            valences.setdefault(plain(word.lower()), float(value) / 4)
    return valences


def _hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def pair_buckets(left: np.ndarray, right: np.ndarray, bits: int) -> np.ndarray:
    """Hashed buckets of token pairs from the two tokens' 32-bit hashes (uint64 arrays)."""
    mixed = (left * np.uint64(0x9E3779B1) + right) & np.uint64(_MASK32)
    mixed = (mixed * np.uint64(0x85EBCA6B)) & np.uint64(_MASK32)
    return (mixed >> np.uint64(32 - bits)).astype(np.int64)


class Featurizer:
    """The feature definition shared by training (sparse matrices) and scoring (:class:`LinearScorer`)."""

    def __init__(self, bits: int, lexicons: Sequence[str] = (), lexicon_scale: float = 1.0) -> None:
        self.bits = bits
        self.buckets = 1 << bits
        self.lexicon_names = tuple(lexicons)
        self.lexicon_scale = lexicon_scale
        self.dim = self.buckets + 2 * len(self.lexicon_names)  # plain and negated valence each
        self._lexicons: tuple[Mapping[str, float], ...] | None = None

    @property
    def lexicons(self) -> tuple[Mapping[str, float], ...]:
        """Read on the first token scored, not at load: loading a model stays quick."""
        if self._lexicons is None:
            self._lexicons = tuple(lexicon(name) for name in self.lexicon_names)
        return self._lexicons

    def token_features(self, token: str) -> tuple[int, list[int], list[float]]:
        """(32-bit hash for pairs, feature indices, values) of one token."""
        negated = token.startswith(NOT) and len(token) > 1
        word = _REPEATS_RE.sub(r"\1\1", token[negated:])[:MAX_WORD]
        mask = self.buckets - 1
        own = _hash(token[0] + word if negated else word)
        indices = [own & mask]
        if word[0].isalpha() and len(word) > 1:
            # n-grams of the UTF-8 bytes (the same as characters for ASCII): one encode per token
            marked = f"<{word}>".encode("utf-8", "surrogatepass")
            crc32, end = zlib.crc32, len(marked) + 1
            indices += [crc32(marked[i:i + n], n) & mask for n in NGRAMS for i in range(end - n)]
        values = [1.0] * len(indices)
        key = plain(word)
        for slot, valences in enumerate(self.lexicons):
            valence = valences.get(key)
            if valence:
                indices.append(self.buckets + 2 * slot + negated)
                values.append(self.lexicon_scale * float(valence))
        return own, indices, values

    def matrix(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(data, indices, indptr) of the documents' feature rows, CSR layout, duplicates not summed."""
        cache: dict[str, tuple[int, list[int], list[float]]] = {}
        data: list[float] = []
        columns: list[int] = []
        indptr = [0]
        for text in texts:
            hashes = []
            row_columns: list[int] = []
            row_data: list[float] = []
            for token in tokens(text):
                if token in SKIP:
                    continue
                features = cache.get(token)
                if features is None:
                    features = cache[token] = self.token_features(token)
                hashes.append(features[0])
                row_columns.extend(features[1])
                row_data.extend(features[2])
            if len(hashes) > 1:
                ints = np.array(hashes, dtype=np.uint64)
                row_columns.extend(pair_buckets(ints[:-1], ints[1:], self.bits).tolist())
                row_data.extend([1.0] * (len(hashes) - 1))
            values = np.array(row_data)
            norm = float(np.sqrt((values**2).sum())) or 1.0
            data.extend((values / norm).tolist())
            columns.extend(row_columns)
            indptr.append(len(columns))
        return np.array(data), np.array(columns, dtype=np.int64), np.array(indptr, dtype=np.int64)


class LinearScorer:
    """Class logits ``bias + x @ weights`` for batches of texts, without building ``x``.

    ``weights`` has one row per feature (``featurizer.dim``) and one column per class.
    Each token seen is given an id; its summed weights, squared feature values and
    hash are kept in arrays at that id, so a known token costs one dict look-up.

    Tokens never span a space, so a text is read chunk by chunk (the pieces between
    spaces: "great,", "coffee!!"), and each chunk seen is remembered with its token ids:
    a text of known chunks costs one split and a dict look-up per chunk, no regex. The
    words after a negation word are marked, across chunks: a chunk with a negation word,
    or read while words are still to be marked, is remembered with how many it starts with.
    """

    def __init__(self, featurizer: Featurizer, weights: np.ndarray, bias: np.ndarray) -> None:
        if weights.shape[0] != featurizer.dim:
            raise ValueError(f"weights have {weights.shape[0]} rows, the features {featurizer.dim}")
        self.featurizer = featurizer
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self._start()

    def _start(self) -> None:
        self._ids: dict[str, int] = {}
        self._new: list[str] = []  # tokens given ids in this batch, not yet learned
        self._vectors = np.zeros((0, self.weights.shape[1]), dtype=np.float32)
        self._squares = np.zeros(0)
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._forget_chunks()

    def _forget_chunks(self) -> None:
        self._chunks: dict[str, tuple[int, ...]] = {}  # chunk -> ids of its tokens (SKIP left out)
        # (chunk, words to mark as it starts) -> (ids of its tokens, words to mark after it), for
        # the chunks not in _chunks: with a negation word, or read after one
        self._marked: dict[tuple[str, int], tuple[tuple[int, ...], int]] = {}

    def _learn(self, new: list[str]) -> None:
        """Compute and store the cached arrays of tokens just given ids (all at once)."""
        hashes, lengths, columns, values = [], [], [], []
        token_features = self.featurizer.token_features
        for token in new:
            own, indices, weights = token_features(token)
            hashes.append(own)
            lengths.append(len(indices))
            columns.extend(indices)
            values.extend(weights)
        value_array = np.array(values, dtype=np.float32)
        vectors = _segment_sums(self.weights[columns] * value_array[:, None], lengths)
        squares = _segment_sums((value_array.astype(np.float64) ** 2)[:, None], lengths)[:, 0]
        self._vectors = np.concatenate([self._vectors, vectors.astype(np.float32)])
        self._squares = np.concatenate([self._squares, squares])
        self._hashes = np.concatenate([self._hashes, np.array(hashes, dtype=np.uint64)])

    def _token_id_list(self, found: Sequence[str]) -> list[int]:
        """Ids of tokens (SKIP left out); new tokens get ids now and are learned by the caller."""
        ids = self._ids
        out = []
        for token in found:
            index = ids.get(token)
            if index is None:
                if token in SKIP:
                    continue
                index = ids[token] = len(ids)
                self._new.append(token)
            out.append(index)
        return out

    def _chunk_ids(self, chunk: str, left: int) -> tuple[tuple[int, ...], int]:
        """The token ids of ``chunk`` read with ``left`` words to mark as it starts, and how many are
        left after it. New tokens get ids in the order they appear, as reading the whole text would
        give them."""
        known = self._marked.get((chunk, left))
        if known is None:
            words = _TOKEN_RE.findall(chunk)
            if not left and not any(map(_negates, words)):
                ids = self._chunks[chunk] = tuple(self._token_id_list(words))
                return ids, 0
            after = _mark_negations(words, left)
            known = self._marked[chunk, left] = (tuple(self._token_id_list(words)), after)
        return known

    def _token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ids of every text's tokens, one text after the other; number of tokens per text)."""
        if len(self._chunks) + len(self._marked) >= CHUNKS_MAX:
            self._forget_chunks()
        known = self._chunks.get
        flat: list[int] = []
        lengths: list[int] = []
        for text in texts:
            pieces = chunks(text)
            seen = list(map(known, pieces))
            before = len(flat)
            if None not in seen:  # every chunk known, none with a negation word
                flat.extend(chain.from_iterable(cast(ChunkIds, seen)))
            else:
                left = 0
                for chunk, ids in zip(pieces, seen, strict=True):
                    if ids is None or left:
                        ids, left = self._chunk_ids(chunk, left)
                    flat.extend(ids)
            lengths.append(len(flat) - before)
        if self._new:
            self._learn(self._new)
            self._new = []
        return np.array(flat, dtype=np.int64), np.array(lengths, dtype=np.int64)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """(n, classes) logits; a text with no token gets the bias alone."""
        if len(self._ids) >= CACHE_MAX:  # between batches: ids stay valid within one
            self._start()
        ids, lengths = self._token_ids(texts)
        totals = _segment_sums(self._vectors[ids].astype(np.float64), lengths)
        squares = _segment_sums(self._squares[ids][:, None], lengths)[:, 0]
        # pairs: neighbouring tokens of the same text (each text's tokens are contiguous)
        owner = np.repeat(np.arange(len(texts)), lengths)
        same = owner[1:] == owner[:-1]
        if same.any():
            hashes = self._hashes[ids]
            buckets = pair_buckets(hashes[:-1][same], hashes[1:][same], self.featurizer.bits)
            pair_lengths = np.maximum(lengths - 1, 0)
            totals += _segment_sums(self.weights[buckets].astype(np.float64), pair_lengths)
            squares += pair_lengths
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        return totals / norms[:, None] + self.bias

    def contributions(self, text: str) -> list[tuple[str, np.ndarray]]:
        """Each token's share of the logits (its own features plus half of each pair it is in)."""
        words = [token for token in tokens(text) if token not in SKIP]
        ids, _ = self._token_ids([text])
        if not len(ids):
            return []
        vectors = self._vectors[ids].astype(np.float64)
        squares = float(self._squares[ids].sum()) + len(ids) - 1
        if len(ids) > 1:
            hashes = self._hashes[ids]
            buckets = pair_buckets(hashes[:-1], hashes[1:], self.featurizer.bits)
            halves = self.weights[buckets].astype(np.float64) / 2
            vectors[:-1] += halves
            vectors[1:] += halves
        vectors /= np.sqrt(squares) or 1.0
        return list(zip(words, vectors, strict=True))


def _segment_sums(rows: np.ndarray, lengths: Sequence[int] | np.ndarray) -> np.ndarray:
    """Sums of consecutive groups of ``rows`` (group sizes ``lengths``, zeros allowed)."""
    ends = np.cumsum(lengths)
    cumulative = np.zeros((len(rows) + 1, rows.shape[1]), dtype=np.float64)
    np.cumsum(rows, axis=0, out=cumulative[1:])
    return cumulative[ends] - cumulative[ends - np.asarray(lengths)]
