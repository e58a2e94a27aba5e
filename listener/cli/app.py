"""The Typer application and what every command shares: config loading, exit codes, messages.

Exceptions become user messages here and only here (DESIGN.md exit codes):
0 success, 1 error in the run, 2 usage or config error.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from listener import config as config_module

EXIT_OK, EXIT_RUN_ERROR, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="listener",
    help="Social listening for managers: collect mentions, score them, email a weekly digest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class State:
    config_path: str | None = None
    verbose: int = 0
    quiet: bool = False
    _config: config_module.Config | None = field(default=None, repr=False)

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
        return self._config


def fail(message: str, code: int = EXIT_RUN_ERROR) -> NoReturn:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


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
) -> None:
    ctx.obj = State(config_path=str(config) if config else None, verbose=verbose, quiet=quiet)
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
