"""The Typer application and what every command shares: config loading, exit codes, messages.

Exceptions become user messages here and only here (exit codes: docs/architecture.md):
0 success, 1 error in the run, 2 usage or config error, 3 another run of the
same command holds the database's lock (cron: the previous run is still going;
nothing was done, try again later).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from listener import config as config_module
from listener import logs
from listener.lock import Locked
from listener.sentiment.card import ModelFileError
from storage.db import StorageError

EXIT_OK, EXIT_RUN_ERROR, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3

app = typer.Typer(
    name="listener",
    help="Social listening for managers: collect mentions, score them, email a weekly digest.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is shown as written: "[[digests]]" is not markup
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(highlight=False, soft_wrap=True)  # what a command is for: tables, exports
# what a command did ("12 new, 3 already stored"): silenced by -q, which then leaves only errors
summary = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class State:
    config_path: str | None = None
    verbose: int = 0
    quiet: bool = False
    _config: config_module.Config | None = field(default=None, repr=False)

    def config_file(self) -> Path | None:
        """The config file in use (None when there is none)."""
        path = config_module.find(self.config_path)
        return path.resolve() if path else None

    def config(self) -> config_module.Config:
        """The validated config, or exit 2 with every problem listed."""
        if self._config is None:
            path = config_module.find(self.config_path)
            if path is None:
                fail(
                    "no configuration found (looked in: "
                    f"{config_module.searched_places(self.config_path)}). "
                    "Run `listener init` to write one, or `listener demo` to try listener without one.",
                    EXIT_USAGE,
                )
            try:
                self._config = config_module.load(path)
            except config_module.ConfigError as error:
                fail(str(error), EXIT_USAGE)
            logs.register_secrets(self._config)  # from now on, logs never show them
        return self._config


def fail(message: str, code: int = EXIT_RUN_ERROR) -> NoReturn:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


@contextmanager
def model_errors() -> Iterator[None]:
    """A missing or corrupt model file becomes its message (which names it and how to rebuild it), exit 2."""
    try:
        yield
    except ModelFileError as error:
        fail(str(error), EXIT_USAGE)


@contextmanager
def operation_errors(nothing_done: str) -> Iterator[None]:
    """What an operation raises on purpose, as a message and exit code (see listener.operations)."""
    try:
        yield
    except Locked as error:
        fail(f"{error}; {nothing_done} (exit {EXIT_LOCKED})", EXIT_LOCKED)
    except StorageError as error:
        fail(str(error))
    except ModelFileError as error:  # names the model file and how to rebuild it
        fail(str(error), EXIT_USAGE)


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"listener {version('listener')}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Config file (default: $LISTENER_CONFIG, then ./listener.toml).",
                     dir_okay=False),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv for debug).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    log_format: Annotated[logs.LogFormat, typer.Option(
        "--log-format", envvar="LISTENER_LOG_FORMAT",
        help="Log lines as text, or json: one object per line for journald, Loki and log shippers.",
    )] = logs.LogFormat.text,
    show_version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                               help="Show listener's version and exit.")] = False,
) -> None:
    ctx.obj = State(config_path=str(config) if config else None, verbose=verbose, quiet=quiet)
    summary.quiet = quiet
    logs.setup(verbose, quiet, stream=sys.stderr, log_format=log_format)
