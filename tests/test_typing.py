"""mypy passes on the four packages (settings in pyproject.toml), so a type error fails the suite
before it lands, not only in CI. Not marked slow on purpose: a few seconds with mypy's cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_type_errors_in_the_packages():
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install '.[test]'")
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
