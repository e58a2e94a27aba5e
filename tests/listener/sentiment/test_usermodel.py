from __future__ import annotations

from types import SimpleNamespace

from listener.sentiment.usermodel import model_path, models_dir, newest


def test_user_models_live_beside_a_sqlite_database_and_the_newest_is_picked(tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'listener.db'}"
    assert models_dir(url) == tmp_path / "data" / "models"
    assert newest(url) is None
    for name in ("learned-user-20261101T090000", "learned-user-20261120T090000", ".partial"):
        (tmp_path / "data" / "models" / name).mkdir(parents=True)
    assert newest(url).name == "learned-user-20261120T090000"
    config = SimpleNamespace(storage=SimpleNamespace(url=url), scoring=SimpleNamespace(model_path=None))
    assert model_path(config).name == "learned-user-20261120T090000"


def test_a_configured_model_path_wins_and_postgresql_has_no_automatic_folder(tmp_path):
    chosen = tmp_path / "mine"
    config = SimpleNamespace(storage=SimpleNamespace(url="postgresql://u@h/db"),
                             scoring=SimpleNamespace(model_path=str(chosen)))
    assert model_path(config) == chosen
    assert models_dir("postgresql://u@h/db") is None and models_dir("sqlite:///:memory:") is None
