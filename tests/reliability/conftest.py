"""Helpers for the reliability suite: a config file on disk for CLI runs."""

from __future__ import annotations

from pathlib import Path

import pytest

TOPICS = """
[[topics]]
name = "Acme"
kind = "brand"
query = "acme"
"""


@pytest.fixture
def config_file(tmp_path: Path):
    """``config_file(url=None, extra="") -> Path``: a listener.toml with one topic, Acme."""

    def write(url: str | None = None, extra: str = "") -> Path:
        path = tmp_path / "listener.toml"
        url = url or f"sqlite:///{tmp_path / 'listener.db'}"
        path.write_text(f'[storage]\nurl = "{url}"\n{TOPICS}\n{extra}', encoding="utf-8")
        return path

    return write
