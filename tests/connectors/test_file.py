"""connectors.file: JSON Lines read exactly as the standard json module reads them."""

from __future__ import annotations

from pathlib import Path

from connectors.file import read_lines

LINE = b'"source": "x", "text": "acme", "created_at": "2026-11-17T10:00:00Z"'


def lines(tmp_path: Path, *raw: bytes) -> list:
    path = tmp_path / "m.jsonl"
    path.write_bytes(b"\n".join(raw) + b"\n")
    return list(read_lines(path))


def test_an_id_beyond_64_bits_keeps_every_digit(tmp_path):
    big = "1" * 30
    [line] = lines(tmp_path, b'{"id": %s, "parent_id": %s, %s}' % (big.encode(), big.encode(), LINE))
    assert (line.mention.external_id, line.mention.parent_id) == (big, big)


def test_a_byte_order_mark_before_the_first_record_is_read_past(tmp_path):
    [line] = lines(tmp_path, b'\xef\xbb\xbf{"id": "1", %s}' % LINE)
    assert line.error is None and line.mention.external_id == "1"


def test_nan_in_a_count_names_the_field_not_the_json(tmp_path):
    [line] = lines(tmp_path, b'{"id": "1", "likes": NaN, %s}' % LINE)
    assert line.mention is None and line.error.message.startswith("likes")


def test_a_broken_line_is_reported_as_not_json_and_the_next_is_read(tmp_path):
    first, second = lines(tmp_path, b'{"id": "1", %s' % LINE, b'{"id": 2, "likes": 3, %s}' % LINE)
    assert first.error.message.startswith("not valid JSON")
    assert (second.mention.external_id, second.mention.likes, second.mention.created_at.tzname()) == ("2", 3, "UTC")
