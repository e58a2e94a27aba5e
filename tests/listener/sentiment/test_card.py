import pytest

from listener.sentiment.card import ModelFileError, read_card


def test_a_missing_card_names_the_file_and_the_rebuild_command(tmp_path):
    path = tmp_path / "card.json"
    with pytest.raises(ModelFileError) as caught:
        read_card(path)
    assert str(path) in str(caught.value)
    assert "python -m listener.sentiment.train --data" in str(caught.value)


def test_a_corrupt_card_names_the_file(tmp_path):
    path = tmp_path / "card.json"
    path.write_bytes(b"{not json")
    with pytest.raises(ModelFileError, match="unreadable"):
        read_card(path)
