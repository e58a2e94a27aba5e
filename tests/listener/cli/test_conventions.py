"""Conventions people expect from a CLI: --version, -h, completion, -q, choices from enums."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from listener.cli import app
from listener.cli.options import AuthorSort, Kind, OutputFormat, Sentiment, Sort
from listener.export import FORMATS
from listener.selection import SENTIMENTS
from storage.queries import AUTHOR_SORTS, KINDS, SORTS

LISTENER = shutil.which("listener", path=str(Path(sys.executable).parent))


def test_version_prints_the_installed_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"listener {version('listener')}"


@pytest.mark.parametrize("args", [["-h"], ["mentions", "-h"], ["db", "-h"]])
def test_short_help_option_works_everywhere(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "Usage:" in result.stdout


def test_option_choices_come_from_the_layers_below():
    assert (tuple(OutputFormat), tuple(Kind), tuple(Sort), tuple(Sentiment), tuple(AuthorSort)) == (
        FORMATS, KINDS, SORTS, SENTIMENTS, AUTHOR_SORTS)


def test_help_lists_the_choices_and_bad_values_are_usage_errors():
    help_text = CliRunner().invoke(app, ["mentions", "-h"]).stdout
    assert "table|csv|json|parquet" in help_text and "newest|reach|engagement|negative" in help_text
    for command, option in (("mentions", "--sort"), ("authors", "--sort"), ("status", "--format"),
                            ("eval", "--format"), ("authors", "--kind"), ("import", "--format")):
        bad = CliRunner().invoke(app, [command, option, "loudest"])
        assert bad.exit_code == 2 and "loudest" in bad.output, (command, option, bad.output)


@pytest.mark.skipif(LISTENER is None, reason="the listener script is not installed next to this Python")
@pytest.mark.parametrize(("words", "expected"), [("listener men", "mentions"),
                                                 ("listener mentions --sort ", "engagement"),
                                                 ("listener --log-format ", "json")])
def test_bash_completion_offers_commands_and_option_values(words, expected):
    # COMP_CWORD: the index of the word being completed (a trailing space starts a new one)
    current = len(words.split()) - (0 if words.endswith(" ") else 1)
    environ = {**os.environ, "_LISTENER_COMPLETE": "complete_bash", "COMP_WORDS": words,
               "COMP_CWORD": str(current)}
    result = subprocess.run([LISTENER], env=environ, capture_output=True, text=True, check=False)
    assert expected in result.stdout.split(), result.stdout + result.stderr


def test_show_completion_prints_a_bash_script():
    result = CliRunner().invoke(app, ["--show-completion", "bash"])
    assert result.exit_code == 0 and "_LISTENER_COMPLETE" in result.stdout


def test_quiet_import_prints_nothing_but_errors(tmp_path):
    config = tmp_path / "listener.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "x.db"}"\n\n'
                      '[[topics]]\nname = "Acme"\nkind = "brand"\nquery = "acme"\n', encoding="utf-8")
    data = tmp_path / "m.jsonl"
    data.write_text('{"source": "x", "id": "1", "text": "acme rocks", "created_at": "2026-11-01T10:00:00Z"}\n',
                    encoding="utf-8")
    loud = CliRunner().invoke(app, ["--config", str(config), "import", str(data)])
    assert loud.exit_code == 0 and "records read" in loud.stdout
    quiet = CliRunner().invoke(app, ["--config", str(config), "-q", "import", str(data)])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
