import textwrap
from pathlib import Path

import pytest

from listener import config as config_module
from listener.config import ConfigError, load

GOOD = textwrap.dedent('''
    [storage]
    url = "sqlite:///data/listener.db"

    [[topics]]
    name = "Acme"
    kind = "brand"
    query = '"acme coffee" OR @acmecoffee OR #acmecoffee'

    [[topics]]
    name = "Rival"
    kind = "competitor"
    query = "rival"

    [[digests]]
    name = "acme-weekly"
    recipients = ["manager@example.com"]
    topics = ["Acme", "Rival"]
    language = "en"

    [smtp]
    host = "smtp.example.com"
    password = "${SMTP_PASSWORD}"
''')


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "listener.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_documented_shape_loads_and_resolves_env_references(tmp_path):
    config = load(write(tmp_path, GOOD), environ={"SMTP_PASSWORD": "hunter2"})
    assert [t.name for t in config.topics] == ["Acme", "Rival"]
    assert config.smtp.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(config) and "hunter2" not in str(config.smtp)


def test_relative_sqlite_paths_are_relative_to_the_config_file(tmp_path):
    config = load(write(tmp_path, GOOD), environ={"SMTP_PASSWORD": "x"})
    assert config.storage.url == f"sqlite:///{tmp_path.resolve() / 'data/listener.db'}"


def test_the_example_config_is_valid(tmp_path):
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    config = load(example, environ={"SMTP_PASSWORD": "x"})
    assert config.digests and config.topics


def test_every_problem_is_reported_at_once_with_its_key_and_a_fix(tmp_path):
    body = GOOD.replace('kind = "brand"', 'kind = "brnad"').replace(
        "query = \"rival\"", "query = '(rival'").replace('topics = ["Acme", "Rival"]', 'topics = ["Acme", "Nope"]')
    body += '\n[connectors.nosuch]\n[scoring]\nworkers = "many"\nbogus = 1\n'
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, body), environ={})
    keys = {problem.key for problem in caught.value.problems}
    assert {"topics.0.kind", "topics.1.query", "smtp.password", "connectors.nosuch",
            "scoring.workers", "scoring.bogus"} <= keys
    message = str(caught.value)
    assert "SMTP_PASSWORD" in message and "export SMTP_PASSWORD" in message
    assert "^" in message  # the query syntax error points at its position


def test_unknown_digest_topic_is_named_with_the_known_ones(tmp_path):
    body = GOOD.replace('topics = ["Acme", "Rival"]', 'topics = ["Acme", "Nope"]')
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, body), environ={"SMTP_PASSWORD": "x"})
    (problem,) = caught.value.problems
    assert problem.key == "digests.0.topics" and "Nope" in problem.message and "Acme" in problem.fix


def test_secret_values_never_appear_in_config_errors(tmp_path):
    body = GOOD.replace('host = "smtp.example.com"', 'host = "smtp.example.com"\nport = "${SMTP_PASSWORD}"')
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, body), environ={"SMTP_PASSWORD": "hunter2"})
    assert "hunter2" not in str(caught.value)


def test_invalid_toml_and_missing_file_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(write(tmp_path, "[storage\n"))
    with pytest.raises(ConfigError, match="listener init"):
        load(tmp_path / "absent.toml")


def test_config_is_found_via_flag_then_environment_then_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(config_module.ENV_VAR, raising=False)
    assert config_module.find(None) is None
    write(tmp_path, GOOD)
    assert config_module.find(None) == Path("listener.toml")
    monkeypatch.setenv(config_module.ENV_VAR, "/etc/listener.toml")
    assert config_module.find(None) == Path("/etc/listener.toml")
    assert config_module.find("other.toml") == Path("other.toml")


def test_a_disabled_connector_does_not_need_its_secrets_but_an_enabled_one_does(tmp_path):
    body = GOOD + '\n[connectors.x]\nenabled = false\nbearer_token = "${X_BEARER_TOKEN}"\n'
    config = load(write(tmp_path, body), environ={"SMTP_PASSWORD": "x"})
    assert config.connector_settings["x"].enabled is False
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, body.replace("enabled = false", "enabled = true")), environ={"SMTP_PASSWORD": "x"})
    assert [p.key for p in caught.value.problems] == ["connectors.x.bearer_token"]


def test_scoring_default_language_must_be_a_language_code_and_is_listed_with_the_rest(tmp_path):
    body = GOOD + '\n[scoring]\ndefault_language = "English"\nworkers = "many"\n'
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, body), environ={})
    keys = {problem.key for problem in caught.value.problems}
    assert {"scoring.default_language", "scoring.workers", "smtp.password"} <= keys
    good = load(write(tmp_path, GOOD), environ={"SMTP_PASSWORD": "x"})
    assert good.scoring.default_language == "en"


def test_scoring_model_is_learned_or_vader_and_model_path_is_relative_to_the_config(tmp_path):
    body = GOOD + '\n[scoring]\nmodel = "bert"\n'
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, body), environ={"SMTP_PASSWORD": "x"})
    assert [p.key for p in caught.value.problems] == ["scoring.model"]
    good = load(write(tmp_path, GOOD + '\n[scoring]\nmodel = "vader"\nmodel_path = "models/mine"\n'),
                environ={"SMTP_PASSWORD": "x"})
    assert good.scoring.model == "vader"
    assert good.scoring.model_path == str((tmp_path / "models" / "mine").resolve())
