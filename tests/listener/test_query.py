"""Topic query language: parsing, matching, errors, masking."""

from __future__ import annotations

import re
import string
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listener.query import (
    _FOLD,
    _HANDLE_RE,
    _HASHTAG_RE,
    _WORD_RE,
    SIGIL_FORMS,
    And,
    Doc,
    Not,
    Or,
    Query,
    QuerySyntaxError,
    Term,
    TopicMatcher,
    mask,
    normalize,
    parse,
)


def m(query: str, text: str) -> bool:
    return parse(query).matches(text)


# ------------------------------------------------------------------- words


def test_word_matches_whole_word_in_text():
    assert m("apple", "I bought an apple today")


def test_word_does_not_match_inside_longer_word():
    assert not m("apple", "pineapple juice")
    assert not m("apple", "apples")
    assert not m("apple", "apple_pie")


@pytest.mark.parametrize(
    "text", ["apple's new phone", "apple, pear", "(apple)", "APPLE!", "«apple»"]
)
def test_word_matches_with_punctuation_around_it(text):
    assert m("apple", text)


def test_matching_is_case_insensitive_both_ways():
    assert m("ACME", "acme rocks")
    assert m("acme", "ACME ROCKS")


def test_accented_query_matches_unaccented_text():
    assert m("café", "best cafe in town")


def test_unaccented_query_matches_accented_text():
    assert m("cafe", "Le CAFÉ était bon")
    assert m("equipe", "merci à l’Équipe")


def test_decomposed_accents_match_precomposed():
    assert m("café", "cafe\u0301 noir")


def test_bare_word_with_punctuation_is_a_phrase_of_its_tokens():
    q = parse("e-mail")
    assert q.node == Term("phrase", "e mail")
    assert q.matches("send an E-Mail now")
    assert not q.matches("mail me an e")


# -------------------------------------------------------- handles, hashtags


def test_word_matches_its_hashtag_and_handle_forms():
    assert m("acme", "love #acme")
    assert m("acme", "thanks @acme")


def test_handle_matches_only_the_handle():
    assert m("@acme", "thanks @ACME!")
    assert not m("@acme", "acme is great")
    assert not m("@acme", "#acme is great")


def test_hashtag_matches_only_the_hashtag():
    assert m("#acme", "so good #Acme")
    assert not m("#acme", "acme is great")
    assert not m("#acme", "@acme is great")


def test_email_address_is_not_a_handle():
    assert not m("@acme", "write to bob@acme.com")
    assert m("acme", "write to bob@acme.com")


def test_handle_does_not_match_longer_handle():
    assert not m("@acme", "hi @acmecoffee")


# ------------------------------------------------------------------ phrases


def test_phrase_matches_consecutive_words():
    assert m('"acme coffee"', "I love Acme Coffee so much")
    assert not m('"acme coffee"', "acme makes great coffee")
    assert not m('"acme coffee"', "coffee acme")


@pytest.mark.parametrize("text", ["acme\n  coffee", "ACME-coffee", "acme, coffee", "#acme @coffee"])
def test_phrase_matches_across_punctuation_and_whitespace(text):
    assert m('"acme coffee"', text)


def test_phrase_requires_whole_words_at_its_edges():
    assert not m('"acme coffee"', "bigacme coffeeshop")


def test_typographic_quotes_delimit_a_phrase():
    assert parse("“acme coffee”").node == Term("phrase", "acme coffee")


# ---------------------------------------------------------------- operators


def test_adjacent_terms_are_implicitly_anded():
    assert parse("acme coffee").node == parse("acme AND coffee").node
    assert m("acme coffee", "coffee by acme")
    assert not m("acme coffee", "acme tea")


def test_or_matches_either_side():
    q = parse("acme OR globex")
    assert q.matches("globex rocks") and q.matches("acme rocks")
    assert not q.matches("initech rocks")


def test_and_binds_tighter_than_or():
    q = parse("a b OR c")
    assert q.node == Or((And((Term("word", "a"), Term("word", "b"))), Term("word", "c")))
    assert q.matches("c") and q.matches("a b")
    assert not q.matches("a")


def test_parentheses_override_precedence():
    q = parse("a (b OR c)")
    assert q.matches("a c")
    assert not q.matches("c")


def test_minus_prefix_negates():
    q = parse("acme -job")
    assert q.node == And((Term("word", "acme"), Not(Term("word", "job"))))
    assert q.matches("acme coffee")
    assert not q.matches("acme job offer")


def test_minus_inside_a_word_is_not_negation():
    assert m("acme e-mail", "acme e-mail support")


def test_not_keyword_negates():
    assert parse("acme NOT job").node == parse("acme -job").node
    assert parse("acme AND NOT job").node == parse("acme -job").node


def test_negated_phrase_and_group():
    q = parse('acme -"now hiring" -(job OR career)')
    assert q.matches("acme is hiring")
    assert not q.matches("acme now hiring")
    assert not q.matches("acme career day")


def test_lowercase_operators_are_plain_words():
    assert parse("acme or globex").node == And(
        (Term("word", "acme"), Term("word", "or"), Term("word", "globex"))
    )


def test_nested_groups():
    q = parse('(acme OR "acme corp") ((coffee OR tea) -decaf) OR #acmelife')
    assert q.matches("Acme Corp tea")
    assert not q.matches("acme decaf coffee")
    assert q.matches("#acmelife")
    assert not q.matches("acme")


def test_nested_same_operators_are_flattened():
    assert parse("(a OR b) OR c").node == Or(tuple(Term("word", w) for w in "abc"))


def test_query_keeps_original_text():
    assert parse(' "Acme" ').text == ' "Acme" '


def test_positive_terms_excludes_negated_terms():
    q = parse('"acme coffee" OR (@acme -#job NOT hiring)')
    assert q.positive_terms() == [Term("phrase", "acme coffee"), Term("handle", "acme")]


def test_double_negation_is_positive():
    q = parse("acme -(x -coffee)")
    assert Term("word", "coffee") in q.positive_terms()


def test_matches_doc_agrees_with_matches():
    doc = Doc.of("Acme coffee, now hiring #jobs")
    for text in ["acme", "acme -hiring", '"acme coffee"', "#jobs", "@acme"]:
        assert parse(text).matches_doc(doc) == parse(text).matches(doc.text)


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("(acme OR b", 0, "unclosed '('"),
        ("a (b (c)", 2, "unclosed '('"),
        ("acme)", 4, "unmatched ')'"),
        ("acme OR", 5, "OR needs a term after it"),
        ("OR acme", 0, "OR needs a term before it"),
        ("a OR OR b", 5, "expected a term after OR"),
        ("a AND", 2, "AND needs a term after it"),
        ("acme NOT", 5, "NOT needs a term after it"),
        ('acme "coffee', 5, "unterminated quote"),
        ("acme ()", 6, "empty parentheses"),
        ('acme ""', 5, "empty phrase"),
        ("acme - job", 5, "'-' must be directly followed by a term"),
        ("acme @", 5, "handle"),
        ("acme #a-b", 5, "hashtag"),
        ("acme !!!", 5, "no letters or digits"),
        ("(a OR)", 5, "expected a term before ')'"),
    ],
)
def test_syntax_errors_report_position(query, position, message):
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert info.value.position == position
    assert message in str(info.value)
    assert info.value.query == query


def test_syntax_error_is_a_value_error_showing_a_caret_under_the_position():
    with pytest.raises(ValueError) as info:
        parse("acme OR (coffee")
    lines = str(info.value).splitlines()
    assert lines[1].strip() == "acme OR (coffee"
    assert lines[2].index("^") == lines[1].index("(")


@pytest.mark.parametrize("query", ["-foo", "NOT foo", "-foo -bar", "acme -job OR -bar"])
def test_query_without_positive_term_is_rejected(query):
    with pytest.raises(QuerySyntaxError, match="at least one positive term"):
        parse(query)


def test_deep_nesting_is_a_syntax_error_not_a_crash():
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("(" * 500 + "a" + ")" * 500)
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("NOT " * 500 + "a")


# ------------------------------------------------------------ topic matcher


def test_topic_matcher_returns_every_matching_topic_in_config_order():
    matcher = TopicMatcher(
        {
            "brand": parse('"acme coffee" OR @acmecoffee OR #acmecoffee'),
            "competitor": parse("starbucks -job"),
            "industry": parse("coffee OR espresso OR latte"),
            "unrelated": parse("tea"),
        }
    )
    text = "Acme Coffee beats Starbucks on latte art @acmecoffee"
    assert matcher.match(text) == ["brand", "competitor", "industry"]
    assert matcher.match("starbucks job fair") == []


def test_topic_matcher_with_no_topics_matches_nothing():
    assert TopicMatcher({}).match("anything") == []


def test_topic_matcher_gives_each_caller_its_own_list_and_still_matches_once_its_memory_is_full():
    matcher = TopicMatcher({"brand": parse("acme"), "drink": parse("coffee")})
    first = matcher.match("acme coffee")
    first.append("changed by the caller")
    assert matcher.match("acme coffee") == ["brand", "drink"]
    for i in range(TopicMatcher.MEMORY + 5):
        assert matcher.match(f"acme {i}") == ["brand"]
    assert matcher.match("acme coffee") == ["brand", "drink"]
    assert len(matcher._recent) <= TopicMatcher.MEMORY


@given(st.text(alphabet=st.characters(max_codepoint=0xFF)))
@settings(max_examples=500)
def test_latin1_text_normalizes_as_the_char_table_folds_it(text):
    """The bytes.translate shortcut for Latin-1 text; ß, µ, ½… (folded to more or other chars) fall back."""
    assert normalize(text) == text.translate(_FOLD)


# Latin-1, emoji and symbols, fullwidth sigils and letters, combining marks, ligatures, scripts.
_MIXED = st.text(alphabet=st.sampled_from(list("aZé É_1 .@#ßµ½ª\xa0\u0301😀€™→\uff20\uff03\ufe6bｃ\ufb01İΣ日١")))


@given(_MIXED)
@settings(max_examples=1000)
def test_a_doc_holds_the_tokens_handles_and_hashtags_of_the_normalized_text(text):
    """Doc.of may fold emoji and symbols to "?" rather than char by char: its contents are those of normalize()."""
    norm = normalize(text)
    words = _WORD_RE.findall(norm)
    doc = Doc.of(text)
    assert (doc.tokens, set(doc.handles), set(doc.hashtags), doc.joined) == (
        set(words), set(_HANDLE_RE.findall(norm)), set(_HASHTAG_RE.findall(norm)), f" {' '.join(words)} ")


# ------------------------------------------------------------------ masking


def test_mask_removes_brand_word_in_any_case_and_accent():
    assert mask("I love ACME and Ácme", [Term("word", "acme")]) == "I love  and "


def test_mask_removes_every_handle_and_hashtag_even_if_not_a_term():
    assert mask("@united thanks for the flight #travel #blessed") == " thanks for the flight  "


def test_mask_removes_word_terms_in_hashtag_and_handle_form():
    assert mask("great united crew", parse("united").positive_terms(), "_") == "great _ crew"
    assert mask("great #United crew", [Term("word", "united")], "_") == "great _ crew"


def test_mask_removes_phrases_across_punctuation():
    text = "Acme, Coffee was great"
    assert mask(text, [Term("phrase", "acme coffee")], "X") == "X was great"


def test_mask_keeps_french_text_intact_outside_removed_spans():
    text = "Merci @AirFrance, l’équipage était génial ! Très agréable. #voyage «super»"
    terms = parse('"air france" OR équipage').positive_terms()
    assert mask(text, terms, "∅") == "Merci ∅, l’∅ était génial ! Très agréable. ∅ «super»"


def test_mask_with_decomposed_accents_removes_the_whole_word():
    assert mask("le cafe\u0301 noir", [Term("word", "café")], "_") == "le _ noir"


def test_mask_leaves_text_without_terms_unchanged():
    text = "Nothing to hide here, ça va ?  "
    assert mask(text, [Term("word", "acme")]) == text


def test_mask_without_terms_removes_handles_written_with_fullwidth_sigils():
    assert mask("merci \uff20Acme et \uff03cafe !", placeholder="_") == "merci _ et _ !"


@given(st.text(alphabet=st.sampled_from("aé @#\uff20_1.")))
def test_mask_without_terms_equals_masking_with_a_term_never_found(text):
    # the term-less shortcut must agree with the full span-mapping path
    assert mask(text, placeholder="_") == mask(text, [Term("word", "zzzq")], placeholder="_")


def test_mask_cuts_the_original_text_whether_or_not_each_char_folds_to_one():
    assert mask("Ça @Acme, très bien #café", placeholder="_") == "Ça _, très bien _"
    assert mask("Straße @Acme, ﬁne #cafe\u0301!", placeholder="_") == "Straße _, ﬁne _!"
    assert mask("Straße Acme, ﬁne", [Term("word", "acme")], "_") == "Straße _, ﬁne"


@pytest.mark.slow
def test_the_sigil_forms_are_every_character_that_folds_to_a_handle_or_hashtag_sigil():
    folds_to_sigil = {c for c in map(chr, range(sys.maxunicode + 1))
                      if "@" in normalize(c) or "#" in normalize(c)}
    assert folds_to_sigil == set(SIGIL_FORMS)


def test_mask_does_not_remove_inside_longer_words():
    assert mask("pineapple apple", [Term("word", "apple")], "_") == "pineapple _"


def test_mask_merges_overlapping_spans():
    terms = [Term("phrase", "acme coffee"), Term("phrase", "coffee shop")]
    assert mask("the acme coffee shop is open", terms, "_") == "the _ is open"


def test_mask_finds_a_phrase_that_starts_inside_another_occurrence_of_a_term():
    # "a" and "a a b" both start at the second token: the longer one must still be found
    terms = [Term("word", "a"), Term("phrase", "a a b")]
    assert mask("a a a b x", terms, "_") == "_ _ x"
    assert mask("x a a a a y", [Term("phrase", "a a")], "_") == "x _ y"  # overlapping occurrences


def test_mask_finds_terms_and_handles_next_to_emoji_and_symbols():
    terms = [Term("phrase", "acme coffee"), Term("word", "beanly")]
    assert mask("👍acme☕coffee👍 beanly€ @x😡", terms, "_") == "👍_👍 _€ _😡"
    assert mask("œbeanly beanlyœ ①beanly", terms, "_") == "œbeanly beanlyœ ①beanly"  # œ, ① fold to word chars


# Latin-1 letters (one fold each, or several: ß, ½), emoji and symbols, chars that fold to word
# chars or sigils or to nothing, and the ASCII that makes words, sigils and separators.
_MASK_ALPHABET = st.sampled_from(
    [*"abcé ÉßﬁµÿŸ½\u0301\u00ad@#\uff20\ufe6b_1.,'-", "👍", "€", "’", "—", "œ", "①", "İ", "\u0f73", "ǅ"])
_MASK_TERMS = st.lists(st.builds(Term, st.sampled_from(["word", "phrase", "handle", "hashtag", "prefix"]),
                                 st.sampled_from(["a", "ab", "b", "ss", "e", "1", "a b", "ab ss a", "fi"])),
                       max_size=3)


@given(st.text(alphabet=_MASK_ALPHABET, max_size=30), _MASK_TERMS)
def test_mask_cuts_where_mapping_each_char_to_its_fold_would(text, terms):
    # the shortcuts (folded text with the original's offsets, Latin-1 bytes, "?" for emoji)
    # must cut exactly where the char-by-char offset map does
    import listener.query as query

    fast = mask(text, terms, "_")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(query, "_folded_for_spans", lambda _text: None)
        assert fast == mask(text, terms, "_")


# ---------------------------------------------------------- normalization


def test_normalize_folds_case_accents_and_compatibility_forms():
    assert normalize("Ça Été ÉLÈVE") == "ca ete eleve"
    assert normalize("Straße") == "strasse"
    assert normalize("ﬁne") == "fine"


# ------------------------------------------------------------- properties

_words = st.text(alphabet=string.ascii_letters + string.digits + "éèàçüñÉ", min_size=1, max_size=12)
_query_ops = {"AND", "OR", "NOT"}


@given(_words)
def test_any_word_matches_itself_as_a_whole_word(word):
    if word in _query_ops:
        return
    q = parse(word)
    assert q.matches(f"x {word} y")
    assert q.matches(f"x {word.upper()}, y")
    assert not q.matches(f"{word}x, x{word}")


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_normalize_works_char_by_char(text):
    # mask() relies on this to map matches back to the original text.
    assert normalize(text) == "".join(normalize(c) for c in text)


@given(st.text())
def test_doc_tokens_are_the_regex_words_of_the_normalized_text(text):
    assert Doc.of(text).tokens == set(re.findall(r"\w+", normalize(text)))


@given(st.text(), st.lists(_words, max_size=3))
def test_mask_without_placeholder_only_deletes_characters(text, words):
    masked = mask(text, [Term("word", normalize(w)) for w in words])
    it = iter(text)
    assert all(c in it for c in masked)  # masked is a subsequence of text


@given(st.lists(_words, min_size=1, max_size=4))
def test_query_matches_text_it_is_made_of(words):
    words = [w for w in words if w not in _query_ops]
    if not words:
        return
    text = " ".join(words)
    assert parse(text).matches(text)
    assert parse(f'"{text}"').matches(f"({text}!)")


def test_query_is_comparable_and_hashable():
    assert parse("acme") == parse("acme")
    assert len({parse("acme"), parse("acme")}) == 1
    assert isinstance(parse("acme"), Query)


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [("delay*", "Flight delayed again", True),
     ("delay*", "DELAYS everywhere", True),
     ("delay*", "no delay", True),
     ("delay*", "relay station", False),  # a prefix of a token, not a substring
     ("retard*", "encore en retard", True),
     ("retard*", "Retardé de deux heures", True),
     ('delay* OR late OR "still waiting"', "I am still waiting", True),
     ("acme -refund*", "acme refunded me", False),
     ("acme -refund*", "acme is great", True),
     ("(price* OR tarif*) acme", "acme prices are mad", True)],
)
def test_trailing_star_matches_every_token_starting_with_it(query, text, expected):
    assert parse(query).matches(text) is expected


@pytest.mark.parametrize("query", ["de*", "*", "del*ay", '"still wait*"'])
def test_prefix_needs_three_letters_and_stands_alone(query):
    if query == '"still wait*"':  # inside quotes the star is punctuation: an exact phrase
        assert parse(query).matches("still wait")
        return
    with pytest.raises(QuerySyntaxError):
        parse(query)
