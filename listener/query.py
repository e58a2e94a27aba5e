"""Topic query language: parse once, match many mentions fast, mask brand terms.

A topic is configured with a small boolean query, the kind people know from
search engines and listening tools::

    "acme coffee" OR @acmecoffee OR (#acme -job -hiring)

Grammar (``AND`` binds tighter than ``OR``; adjacent terms are ANDed)::

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := "NOT" unary | "-" unary | "(" or_expr ")" | term
    term    := word | prefix* | "exact phrase" | @handle | #hashtag

Operators are only recognised in upper case (as on Google and X), so the
lower-case words ``and``/``or``/``not`` stay searchable words.

Matching is on whole tokens of normalized text (casefolded, accents removed):
``apple`` matches "Apple's" and "APPLE," but not "pineapple". A word also
matches its ``#word`` and ``@word`` forms; ``@acme`` matches only the handle and
``#acme`` only the hashtag. A phrase matches consecutive tokens, whatever
whitespace or punctuation separates them in the text. A bare term that holds
punctuation (``e-mail``, ``apple's``) is treated as the phrase of its tokens.
A word ending in ``*`` matches every token starting with it (``delay*``: "delay",
"delayed", "delays"; at least ``MIN_PREFIX`` letters, so ``a*`` cannot match
everything); it is masked before scoring as the whole word it names.

Speed: a mention is tokenized once into a :class:`Doc` (sets + one joined
token string), shared by every topic; each query is compiled to closures doing
set look-ups, behind a pre-filter that skips a topic when none of its positive
terms' tokens is in the mention (valid because a query that could match a
mention holding none of its positive terms is rejected at parse time).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "And",
    "Doc",
    "Node",
    "Not",
    "Or",
    "Query",
    "QuerySyntaxError",
    "Term",
    "TopicMatcher",
    "mask",
    "mask_with",
    "normalize",
    "parse",
    "terms_pattern",
]

# Tokens are runs of word characters (letters, digits, underscore, any script).
# A handle/hashtag sigil counts only at the start of a token, so the "@" of an
# e-mail address ("bob@acme.com") does not make a handle.
_WORD_RE = re.compile(r"\w+")
# Literal first, look-behind second: lets the regex engine jump from "@" to "@".
_HANDLE_RE = re.compile(r"@(?<!\w@)(\w+)")
_HASHTAG_RE = re.compile(r"#(?<!\w#)(\w+)")
_SIGIL_TOKEN_RE = re.compile(r"[@#](?<!\w[@#])\w+")
# The characters whose folded form holds "@" or "#" (fullwidth and small forms included; checked
# over every code point by the tests): a text with none of them has no handle or hashtag.
SIGIL_FORMS = "@#\ufe5f\ufe6b\uff03\uff20"
_FOLDS_TO_SIGIL_RE = re.compile(f"[{SIGIL_FORMS}]")
_EMPTY: frozenset[str] = frozenset()
# For ASCII text, bytes.translate + split gives the same tokens as _WORD_RE.findall
# ([A-Za-z0-9_] in Python's Unicode \w) about 5x faster; tweets are mostly ASCII.
_ASCII_WORDS = bytes(c if chr(c).isalnum() or c == 0x5F else 0x20 for c in range(128)).ljust(
    256, b" "
)

_MAX_DEPTH = 100  # nesting guard: a hostile config must not hit RecursionError
MIN_PREFIX = 3  # letters before a trailing "*"


def _fold_char(c: str) -> str:
    decomposed = unicodedata.normalize("NFKD", c)
    return "".join(m for m in decomposed if not unicodedata.combining(m)).casefold()


class _CharTable(dict[int, "str | int"]):
    """A ``str.translate`` table filled on first sight of each code point.

    At most one entry per distinct code point ever seen, so it stays small; it
    makes non-ASCII normalization ~2x faster than NFKD + a Python-level filter.
    """

    def __init__(self, compute: Callable[[str], str | int]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, cp: int) -> str | int:
        self[cp] = value = self._compute(chr(cp))
        return value


_FOLD = _CharTable(_fold_char)
# Each char to its fold when that is exactly one char, else to two chars (never one): the
# translated text is as long as the original exactly when it is the folded text with the
# original's offsets (no per-char map needed to cut the original).
_FOLD_IN_PLACE = _CharTable(lambda c: f if len(f := _FOLD[ord(c)]) == 1 else "\x00\x00")
# The same for Latin-1 text (French, Spanish, German…), with bytes.translate, ~10x faster: the
# bytes whose char folds to one Latin-1 char (not ß, µ, ½…) and what each folds to.
_LATIN1_FOLDS = {b: ord(f) for b in range(256) if len(f := _fold_char(chr(b))) == 1 and ord(f) < 256}
_LATIN1_IN_PLACE = bytes(_LATIN1_FOLDS)
_LATIN1_FOLD = bytes(_LATIN1_FOLDS.get(b, b) for b in range(256))
# Non-word chars -> space, so that str.split() == _WORD_RE.findall().
_WORD_SEP = _CharTable(lambda c: ord(c) if _WORD_RE.match(c) else " ")


def _tokens(norm: str) -> list[str]:
    """Word tokens of already-normalized text, in order."""
    if norm.isascii():
        return norm.encode().translate(_ASCII_WORDS).decode().split()
    return norm.translate(_WORD_SEP).split()


def _folded_latin1(text: str) -> str | None:
    """``normalize(text)`` by one bytes.translate when ``text`` is Latin-1 and each of its chars
    folds to one Latin-1 char (not ß, µ, ½…), else None."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    if raw.translate(None, _LATIN1_IN_PLACE):
        return None
    return raw.translate(_LATIN1_FOLD).decode("latin-1")


def normalize(text: str) -> str:
    """Casefold and strip accents: NFKD, drop combining marks, casefold.

    Done char by char. This order is idempotent (checked over every code
    point: casefold first then NFKD is not, e.g. for U+03D2), and per-char
    application equals whole-string application because canonical reordering
    only moves the combining marks we drop. :func:`mask` relies on that to
    map matches back to the original text.
    """
    if text.isascii():  # the common case, ~30x faster
        return text.lower()
    folded = _folded_latin1(text)  # accented European text, ~5x faster than the table
    return folded if folded is not None else text.translate(_FOLD)


_BEYOND_LATIN1_RE = re.compile(r"[^\x00-\xff]")


@lru_cache(maxsize=4096)
def _neutral(c: str) -> bool:
    """Whether ``c`` folds to one char that is no word char and no sigil (emoji, most symbols):
    no handle, hashtag or term holds it and each ends at it, as at any such char ("?")."""
    folded = _FOLD[ord(c)]
    return len(folded) == 1 and not _WORD_RE.match(folded) and folded not in "@#"


def _folded_for_spans(text: str) -> str | None:
    """``normalize(text)`` when every char folds to exactly one (so a span of it is the same
    span of ``text``), else None; chars beyond Latin-1 that are :func:`_neutral` may be "?" in
    it (every handle, hashtag and term is found at the same place)."""
    if text.isascii():  # folding is lower()
        return text.lower()
    beyond = _BEYOND_LATIN1_RE.findall(text)
    if not beyond or all(map(_neutral, beyond)):
        raw = text.encode("latin-1", "replace")  # one "?" per char beyond Latin-1
        if not raw.translate(None, _LATIN1_IN_PLACE):
            return raw.translate(_LATIN1_FOLD).decode("latin-1")
    folded = text.translate(_FOLD_IN_PLACE)
    return folded if len(folded) == len(text) else None


class QuerySyntaxError(ValueError):
    """A topic query cannot be parsed; ``position`` is a 0-based offset in ``query``."""

    def __init__(self, message: str, query: str, position: int) -> None:
        super().__init__(message, query, position)
        self.message = message
        self.query = query
        self.position = position

    def __str__(self) -> str:
        # Tabs/newlines would misalign the caret: show them as spaces.
        shown = "".join(" " if c.isspace() else c for c in self.query)
        return f"{self.message} (at position {self.position})\n  {shown}\n  {' ' * self.position}^"


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True, slots=True)
class Term:
    kind: Literal["word", "phrase", "handle", "hashtag", "prefix"]
    value: str  # normalized; phrase tokens joined by one space; no @, # or *


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = Term | And | Or | Not


# --------------------------------------------------------------------- documents


class Doc:
    """A mention's text tokenized once, shared by every topic query."""

    __slots__ = ("handles", "hashtags", "joined", "text", "tokens")

    def __init__(
        self,
        text: str,
        tokens: set[str],
        handles: frozenset[str] | set[str],
        hashtags: frozenset[str] | set[str],
        joined: str,
    ) -> None:
        self.text = text
        self.tokens = tokens  # every token, sigils stripped
        self.handles = handles
        self.hashtags = hashtags
        self.joined = joined  # " tok1 tok2 … " for phrase look-ups by substring

    @classmethod
    def of(cls, text: str) -> Doc:
        # The folded text may hold "?" for an emoji or symbol (see _folded_for_spans): a char
        # that is no word char and no sigil either, so the tokens, handles and hashtags are
        # normalize(text)'s, without folding the text char by char through a dict.
        norm = _folded_for_spans(text)
        if norm is None:
            norm = normalize(text)
        words = _tokens(norm)
        handles = set(_HANDLE_RE.findall(norm)) if "@" in norm else _EMPTY
        hashtags = set(_HASHTAG_RE.findall(norm)) if "#" in norm else _EMPTY
        return cls(text, set(words), handles, hashtags, f" {' '.join(words)} ")

    def __repr__(self) -> str:
        return f"Doc({self.text!r})"


_EMPTY_DOC = Doc.of("")


# ----------------------------------------------------------------------- parsing


def _term_from_bare(raw: str, query: str, pos: int) -> Term:
    """A term written without quotes: word, @handle, #hashtag, or punctuated phrase."""
    if raw[0] in "@#":
        kind: Literal["handle", "hashtag"] = "handle" if raw[0] == "@" else "hashtag"
        body = normalize(raw[1:])
        if not _WORD_RE.fullmatch(body):
            raise QuerySyntaxError(
                f"a {kind} must be {raw[0]} followed by letters, digits or _", query, pos
            )
        return Term(kind, body)
    if "*" in raw[:-1]:
        raise QuerySyntaxError("* may only end a word (e.g. delay*)", query, pos + raw.index("*"))
    if raw.endswith("*"):
        body = normalize(raw[:-1])
        if not _WORD_RE.fullmatch(body) or len(body) < MIN_PREFIX:
            raise QuerySyntaxError(
                f"a prefix must be at least {MIN_PREFIX} letters or digits followed by * "
                f"(e.g. delay*)", query, pos)
        return Term("prefix", body)
    tokens = _WORD_RE.findall(normalize(raw))
    if not tokens:
        raise QuerySyntaxError(f"{raw!r} has no letters or digits to search for", query, pos)
    return Term("word", tokens[0]) if len(tokens) == 1 else Term("phrase", " ".join(tokens))


# Lexer tokens: (kind, position, payload). Kinds: TERM, AND, OR, NOT, NEG, "(", ")".
_Tok = tuple[str, int, Term | None]
_OPEN_QUOTES, _CLOSE_QUOTES = '"“', '"”'  # accept typographic quotes pasted from docs
_BARE_STOP = frozenset(' \t\r\n()"“”')


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "()":
            toks.append((c, i, None))
            i += 1
        elif c in _OPEN_QUOTES:
            end = next((j for j in range(i + 1, n) if query[j] in _CLOSE_QUOTES), -1)
            if end < 0:
                raise QuerySyntaxError("unterminated quote", query, i)
            tokens = _WORD_RE.findall(normalize(query[i + 1 : end]))
            if not tokens:
                raise QuerySyntaxError("empty phrase", query, i)
            toks.append(("TERM", i, Term("phrase", " ".join(tokens))))
            i = end + 1
        elif c == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise QuerySyntaxError("'-' must be directly followed by a term", query, i)
            toks.append(("NEG", i, None))
            i += 1
        else:
            j = i
            while j < n and query[j] not in _BARE_STOP:
                j += 1
            raw = query[i:j]
            if raw in ("AND", "OR", "NOT"):
                toks.append((raw, i, None))
            else:
                toks.append(("TERM", i, _term_from_bare(raw, query, i)))
            i = j
    return toks


class _Parser:
    """Recursive descent over the lexer tokens; errors point at the culprit."""

    _STARTS_UNARY = frozenset({"TERM", "NOT", "NEG", "("})
    _CONTINUES_AND = _STARTS_UNARY | {"AND"}

    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _lex(query)
        self.i = 0
        self.depth = 0

    def error(self, message: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.query, pos)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node:
        if not self.toks:
            raise self.error("empty query", 0)
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ")" can stop or_expr early
            raise self.error("unmatched ')'", tok[1])
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (tok := self.peek()) is not None and tok[0] == "OR":
            self.i += 1
            self.operand_after(tok)
            children.append(self.and_expr(tok))
        return children[0] if len(children) == 1 else Or(_flatten(Or, children))

    def and_expr(self, after: _Tok | None = None) -> Node:
        children = [self.unary(after)]
        while (tok := self.peek()) is not None and tok[0] in self._CONTINUES_AND:
            if tok[0] == "AND":
                self.i += 1
                self.operand_after(tok)
                children.append(self.unary(tok))
            else:  # implicit AND between adjacent terms
                children.append(self.unary(None))
        return children[0] if len(children) == 1 else And(_flatten(And, children))

    def operand_after(self, op: _Tok) -> None:
        """Point a dangling operator error at the operator, not at the end of the query."""
        if self.peek() is None:
            raise self.error(f"{op[0]} needs a term after it", op[1])

    def unary(self, after: _Tok | None) -> Node:
        tok = self.peek()
        if tok is None:  # only reachable right after NOT / "-"
            assert after is not None
            raise self.error(f"{_shown(after)} needs a term after it", after[1])
        kind, pos, term = tok
        if kind == "TERM":
            self.i += 1
            assert term is not None
            return term
        if kind in ("NOT", "NEG", "("):
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise self.error("query nested too deeply", pos)
        if kind in ("NOT", "NEG"):
            self.i += 1
            node: Node = Not(self.unary(tok))
            self.depth -= 1
            return node
        if kind == "(":
            self.i += 1
            if (nxt := self.peek()) is not None and nxt[0] == ")":
                raise self.error("empty parentheses", nxt[1])
            if nxt is None:
                raise self.error("unclosed '('", pos)
            node = self.or_expr()
            close = self.peek()
            if close is None or close[0] != ")":
                raise self.error("unclosed '('", pos)
            self.i += 1
            self.depth -= 1
            return node
        if kind == ")":
            raise self.error(
                "unmatched ')'" if after is None else "expected a term before ')'", pos
            )
        # AND / OR where a term was expected
        if after is None:
            raise self.error(f"{kind} needs a term before it", pos)
        raise self.error(f"expected a term after {_shown(after)}, found {kind}", pos)


def _shown(tok: _Tok) -> str:
    return "'-'" if tok[0] == "NEG" else tok[0]


def _flatten(cls: type[And] | type[Or], children: list[Node]) -> tuple[Node, ...]:
    """``(a OR b) OR c`` -> ``Or(a, b, c)``: shallower trees evaluate faster."""
    out: list[Node] = []
    for child in children:
        out.extend(child.children if isinstance(child, cls) else (child,))
    return tuple(out)


def parse(text: str) -> Query:
    """Parse a topic query; raises :class:`QuerySyntaxError` with a position."""
    node = _Parser(text).parse()
    query = Query(text, node)
    if query.matches_doc(_EMPTY_DOC):
        # e.g. "-foo" or "bar OR -foo": would match (almost) every mention.
        raise QuerySyntaxError("a query needs at least one positive term", text, 0)
    return query


# -------------------------------------------------------------------- evaluation

_Fn = Callable[[Doc], bool]


def _compile(node: Node) -> _Fn:
    """Turn the AST into closures: no isinstance dispatch per mention."""
    if isinstance(node, Term):
        v = node.value
        if node.kind == "handle":
            return lambda d: v in d.handles
        if node.kind == "hashtag":
            return lambda d: v in d.hashtags
        if node.kind == "phrase" and " " in v:
            needle = f" {v} "
            return lambda d: needle in d.joined
        if node.kind == "prefix":
            needle = f" {v}"
            return lambda d: needle in d.joined  # a token starting with it
        return lambda d: v in d.tokens  # a word, or a one-word phrase
    if isinstance(node, Not):
        f = _compile(node.child)
        return lambda d: not f(d)
    fns = tuple(_compile(c) for c in node.children)
    if isinstance(node, And):
        if len(fns) == 2:
            a, b = fns
            return lambda d: a(d) and b(d)
        return lambda d: all(f(d) for f in fns)
    if len(fns) == 2:
        a, b = fns
        return lambda d: a(d) or b(d)
    return lambda d: any(f(d) for f in fns)


def _signed_terms(node: Node, positive: bool = True) -> Iterable[tuple[Term, bool]]:
    if isinstance(node, Term):
        yield node, positive
    elif isinstance(node, Not):
        yield from _signed_terms(node.child, not positive)
    else:
        for child in node.children:
            yield from _signed_terms(child, positive)


class Query:
    """A parsed topic query, compiled for fast matching. Build with :func:`parse`."""

    __slots__ = ("_fn", "_keys", "node", "text")

    def __init__(self, text: str, node: Node) -> None:
        self.text = text
        self.node = node
        self._fn = _compile(node)
        # Pre-filter: one of these tokens must be in a mention for it to match
        # (none with a prefix term: the tokens it matches are not known in advance).
        terms = self.positive_terms()
        self._keys = None if any(t.kind == "prefix" for t in terms) else frozenset(
            t.value.split(" ", 1)[0] for t in terms)

    def matches_doc(self, doc: Doc) -> bool:
        if doc is not _EMPTY_DOC and self._keys is not None and self._keys.isdisjoint(doc.tokens):
            return False
        return self._fn(doc)

    def matches(self, text: str) -> bool:
        return self.matches_doc(Doc.of(text))

    def positive_terms(self) -> list[Term]:
        """Terms under an even number of NOTs (what a match proves is present), deduplicated."""
        seen: dict[Term, None] = {}
        for term, positive in _signed_terms(self.node):
            if positive:
                seen.setdefault(term)
        return list(seen)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Query) and (self.text, self.node) == (other.text, other.node)

    def __hash__(self) -> int:
        return hash((self.text, self.node))

    def __repr__(self) -> str:
        return f"parse({self.text!r})"


class TopicMatcher:
    """Match one mention against every topic, tokenizing it once."""

    # Texts recently matched, with their topics: copies (retweets without a prefix, press
    # releases, bots) are a quarter of a typical import. Cleared when full, so memory stays bounded.
    MEMORY = 20_000

    def __init__(self, topics: Mapping[str, Query]) -> None:
        self._topics = tuple(topics.items())
        # Query.matches_doc's pre-filter and test, without a method call per topic and text.
        self._tests = tuple((name, query._keys, query._fn) for name, query in self._topics)
        self._recent: dict[str, list[str]] = {}

    def match_doc(self, doc: Doc) -> list[str]:
        if doc is _EMPTY_DOC:  # matches_doc skips its pre-filter for it
            return [name for name, query in self._topics if query.matches_doc(doc)]
        tokens = doc.tokens
        return [name for name, keys, test in self._tests
                if (keys is None or not keys.isdisjoint(tokens)) and test(doc)]

    def match(self, text: str) -> list[str]:
        """Names of the matching topics, in config order."""
        names = self._recent.get(text)
        if names is None:
            if len(self._recent) >= self.MEMORY:
                self._recent.clear()
            names = self._recent[text] = self.match_doc(Doc.of(text))
        return names.copy()  # the caller's own list


# ----------------------------------------------------------------------- masking


_NOTHING_RE = re.compile(r"(?!)")


@lru_cache(maxsize=1024)
def _terms_pattern(terms: tuple[Term, ...]) -> re.Pattern[str]:
    """Where the terms occur in a normalized text, as runs of its ``\\w+`` tokens.

    A word is a whole token: a run of word characters with none on either side. A phrase
    is consecutive tokens: its tokens with non-word characters between them. Equivalent to
    comparing the text's token list with each term's, without building a match object per
    token. Each alternative starts with its first character and only then looks behind it
    (no word character before), so the regex engine skips to the characters that can start
    one; :func:`_spans` searches again one character after each match's start, which finds
    overlapping occurrences too.
    """
    phrases = {tuple(tokens) for term in terms if (tokens := _WORD_RE.findall(normalize(term.value)))}
    if not phrases:  # (a hand-made Term may hold any text, even none to match)
        return _NOTHING_RE
    # Where several start at one token, they share it and its followers: the longest that
    # matches covers the others, so it is tried first (alternatives are tried in order).
    runs = [rf"{re.escape(tokens[0][0])}(?<!\w{re.escape(tokens[0][0])}){re.escape(tokens[0][1:])}"
            + "".join(rf"\W+{re.escape(token)}" for token in tokens[1:])
            for tokens in sorted(phrases, key=lambda t: (-len(t), t))]
    return re.compile(rf"(?:{'|'.join(runs)})(?!\w)")


def _spans(norm: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The spans of the handles, hashtags and terms (``pattern``) in a normalized text, sorted."""
    spans = [match.span() for match in _SIGIL_TOKEN_RE.finditer(norm)] if "@" in norm or "#" in norm else []
    if pattern is not _NOTHING_RE:
        found = pattern.search(norm)
        if found is not None:
            search = pattern.search
            while found is not None:
                spans.append(found.span())
                found = search(norm, found.start() + 1)
            spans.sort()
    return spans


def mask(text: str, terms: Iterable[Term] = (), placeholder: str = "") -> str:
    """Replace every given term and every @handle / #hashtag in ``text`` by ``placeholder``.

    Used before sentiment scoring: "@united thanks" must not score "united".
    Matching is done on the normalized text exactly as :class:`Doc` does; since
    :func:`normalize` works char by char, we keep for each normalized char the
    index of the original char it came from (the same index when every char folds
    to one) and cut the original text there, so everything outside the removed
    spans is returned byte for byte.
    """
    return mask_with(text, _terms_pattern(tuple(terms)), placeholder)


def terms_pattern(terms: Iterable[Term]) -> re.Pattern[str]:
    """The terms as :func:`mask_with` takes them: for masking many texts with a few term sets
    (one look-up per set, not one per text that hashes every term)."""
    return _terms_pattern(tuple(terms))


def mask_with(text: str, pattern: re.Pattern[str], placeholder: str = "") -> str:
    """:func:`mask` with the terms given as their :func:`terms_pattern`."""
    if pattern is _NOTHING_RE:  # only handles and hashtags to remove: none without a sigil (one C-level pass)
        if not _FOLDS_TO_SIGIL_RE.search(text):
            return text
        if text.isascii():  # folding is lower(): same offsets, same \w, same sigils
            return _SIGIL_TOKEN_RE.sub(placeholder, text)
    norm = _folded_for_spans(text)
    if norm is not None:  # and none folds to nothing: a span of the folded text is the same span of the original
        spans = _spans(norm, pattern)
    else:
        norm = normalize(text)
        origin = [i for i, c in enumerate(text) for _ in _FOLD[ord(c)]]

        def orig_span(start: int, end: int) -> tuple[int, int]:
            o_end = origin[end - 1] + 1
            # Take along trailing chars that normalize to nothing (e.g. a combining accent).
            while o_end < len(text) and not normalize(text[o_end]):
                o_end += 1
            return origin[start], o_end

        spans = sorted(orig_span(*span) for span in _spans(norm, pattern))
    if not spans:
        return text

    out, pos = [], 0
    for start, end in spans:
        if end <= pos:  # contained in the previous span
            continue
        if start < pos:  # overlaps the previous span: extend it
            pos = end
            continue
        out += [text[pos:start], placeholder]
        pos = end
    out.append(text[pos:])
    return "".join(out)
