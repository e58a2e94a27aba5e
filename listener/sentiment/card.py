"""The shipped model files: where they live, the model card, and the error when one is unusable."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")
CARD_FILE = "card.json"
REBUILD = "pip install '.[train]' && python -m listener.sentiment.train --data path/to/training"


class ModelFileError(Exception):
    """A shipped model file is missing or unreadable; the message names it and how to rebuild it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(f"sentiment model file {path}: {problem}. Reinstall listener, or rebuild "
                         f"the model files with: {REBUILD}")


def read_card(path: Path) -> dict[str, Any]:
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(path, "missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(path, f"unreadable ({error})") from None
    if not isinstance(card, dict):
        raise ModelFileError(path, "not a JSON object")
    return card


@lru_cache(maxsize=1)
def load_card() -> dict[str, Any]:
    """The shipped model card (read once per process)."""
    return read_card(DATA_DIR / CARD_FILE)
