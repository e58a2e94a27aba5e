"""text_hash: copies of a text share a hash whatever their spacing and case."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.mentions import _one_spaced, text_hash


def test_the_only_printable_whitespace_is_the_ascii_space():
    """What lets _one_spaced take a printable text as it is."""
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c.isprintable()] == [" "]


@given(st.text(alphabet=st.sampled_from(list("ab é\t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000😀"))))
@settings(max_examples=1000)
def test_one_spaced_text_is_its_words_joined_by_one_space(text):
    assert _one_spaced(text) == " ".join(text.split())


def test_texts_differing_only_in_spacing_and_case_share_a_hash():
    assert text_hash("Acme  Coffee\n rocks ") == text_hash("acme coffee rocks") != text_hash("acme coffee rock")
