"""Import records as Mentions: the plain-record shortcuts read as the general checks do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.errors import SkippableRecord
from connectors.records import mention_from_record, parse_time


def outcome(read, value):
    """What ``read(value)`` gives or raises (any exception, so the shortcut and the general path are held to the same)."""
    try:
        return read(value)
    except Exception as error:  # the error is the outcome compared
        return (type(error), str(error).replace(repr(value), "VALUE"))


_TIME = st.one_of(
    st.builds(lambda d, z: d.isoformat() + z, st.datetimes(), st.sampled_from(["Z", "z", "+00:00Z", ""])),
    st.text(alphabet="0123456789-:T.Z +", max_size=30),
).map(lambda text: text if text.endswith("Z") else text + "Z")


@given(_TIME)
@settings(max_examples=500)
def test_a_time_ending_in_z_reads_as_the_same_text_with_spaces_around_it(text):
    """The spaces send it through the general branch (strip, digits check); the result, or the error, is the same."""
    assert outcome(parse_time, text) == outcome(parse_time, f" {text}\t")


def test_the_usual_utc_time_is_an_aware_utc_datetime():
    assert parse_time("2026-02-16T00:11:25Z") == datetime(2026, 2, 16, 0, 11, 25, tzinfo=UTC)
    assert parse_time("2026-02-16T00:11:25Z").tzinfo is UTC


_FIELD = st.one_of(st.none(), st.just(""), st.text(max_size=40))


@given(source=_FIELD, external_id=st.integers(min_value=0, max_value=10**300), text=st.one_of(_FIELD, st.integers()),
       created_at=st.one_of(_FIELD, _TIME))
@settings(max_examples=500)
def test_a_record_of_plain_strings_reads_as_the_same_record_with_a_numeric_id(source, external_id, text, created_at):
    """A numeric id sends the record through the general checks; the Mention, or the error, is the same."""
    as_text = {"source": source, "id": str(external_id), "text": text, "created_at": created_at, "likes": 3}
    as_number = {**as_text, "id": external_id}
    assert outcome(mention_from_record, as_text) == outcome(mention_from_record, as_number)


@pytest.mark.parametrize(("record", "message"), [
    ({"source": "x", "id": "1", "text": "", "created_at": ""}, "missing text, created_at"),
    ({"id": "1", "text": "t", "created_at": "2026-02-16T00:11:25Z"}, "missing source"),
    ({"source": "x", "id": "1", "text": 5, "created_at": "2026-02-16T00:11:25Z"}, "text must be a string"),
    ({"source": "x", "id": "i" * 256, "text": "t", "created_at": "2026-02-16T00:11:25Z"},
     "id is longer than 255 characters"),
    ({"source": "x", "id": "1", "text": "t", "created_at": "2026-02-30T00:00:00Z"},
     "created_at '2026-02-30T00:00:00Z' is not an ISO 8601 time"),
    ({"source": "x", "id": "1", "text": "t", "created_at": "2026-02-16T00:11:25Z", "likes": -1},
     "likes -1 is negative"),
])
def test_a_record_that_cannot_be_a_mention_says_why(record, message):
    with pytest.raises(SkippableRecord, match=f"^{message}$"):
        mention_from_record(record)


def test_a_plain_record_reads_every_field_in_place():
    mention = mention_from_record({
        "source": "x", "id": "7", "text": "hi", "created_at": "2026-02-16T00:11:25Z", "author": "@ann",
        "author_id": "a1", "author_name": "Ann", "author_followers": 5, "url": "https://x.example/7", "title": "T",
        "lang": "en", "likes": 1, "reposts": 2, "replies": 3, "views": 4, "is_repost": "yes", "is_reply": True,
        "parent_id": "6"})
    assert (mention.source, mention.external_id, mention.text, mention.author, mention.author_id,
            mention.author_name, mention.author_followers, mention.url, mention.title, mention.lang, mention.likes,
            mention.reposts, mention.replies, mention.views, mention.is_repost, mention.is_reply,
            mention.parent_id, mention.raw) == (
        "x", "7", "hi", "ann", "a1", "Ann", 5, "https://x.example/7", "T", "en", 1, 2, 3, 4, True, True, "6", None)
