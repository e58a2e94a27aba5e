from __future__ import annotations

import pytest

from storage.db import create
from tests.builders import Data


@pytest.fixture
def engine(tmp_path):
    engine = create(f"sqlite:///{tmp_path / 'analysis.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def data(engine):
    return Data(engine)
