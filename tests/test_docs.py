"""Docs kept true by tests: every command has help text and appears in the README."""

from pathlib import Path

import typer.main

from listener.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands():
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub
        else:
            yield name, command


def test_every_command_has_help_text():
    missing = [name for name, command in commands() if not (command.help or "").strip()]
    assert missing == []


def test_every_command_appears_in_the_readme_with_an_example():
    missing = [name for name, _ in commands() if f"`listener {name}" not in README]
    assert missing == []


def test_every_command_docstring_has_an_example():
    missing = [name for name, command in commands() if "Example:" not in (command.help or "")]
    assert missing == []
