"""Every connector a test opens is closed after it: no pooled socket outlives its test."""

import pytest

from tests.connectors.helpers import close_all


@pytest.fixture(autouse=True)
def _close_connectors():
    yield
    close_all()
