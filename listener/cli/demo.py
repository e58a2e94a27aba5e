"""``listener demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from listener.cli.app import EXIT_RUN_ERROR, app, fail, out, summary


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where to put the demo database, config and digests.")]
    = Path("listener-demo"),
) -> None:
    """Run the whole pipeline on generated data: no config, no account, no network.

    Example: listener demo --dir /tmp/listener-demo
    """
    from listener import demo as demo_module

    if (directory / "listener.db").exists():
        fail(f"{directory} already holds a demo; remove it or pass --dir NEW_DIR")
    result = demo_module.run(directory, on_step=lambda step: summary.print(f"… {step}", markup=False))
    for line in demo_module.summary(result):
        out.print(line, markup=False)
    if result.collect.failed:
        raise typer.Exit(EXIT_RUN_ERROR)
