"""Making mentions fit the database: the one-search check misses nothing the field-by-field rule would fix."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.fit import _TEXT_LIMITS, NUL, _texts_need_fitting


def field_needs_fitting(value, limit):
    return value is not None and (NUL in value or bool(limit and len(value) > limit))


_TEXT = st.one_of(st.none(), st.text(alphabet="a\x00é", max_size=300),
                  st.integers(min_value=0, max_value=300).map(lambda n: "b" * n))


@given(st.tuples(*[_TEXT for _ in _TEXT_LIMITS]))
@settings(max_examples=500)
def test_texts_need_fitting_exactly_when_one_field_holds_a_nul_or_outgrows_its_column(texts):
    assert _texts_need_fitting(texts) == any(map(field_needs_fitting, texts, _TEXT_LIMITS))
