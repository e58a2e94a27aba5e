"""``listener browse``: the database in Datasette (the optional ``browse`` extra)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from listener.cli.app import EXIT_USAGE, app, err, fail, state
from storage import db


@app.command()
def browse(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Browse the demo database (made first if --dir holds none).")] = False,
    directory: Annotated[Path, typer.Option("--dir", help="The demo's directory, with --demo.")] = Path("listener-demo"),
    host: Annotated[str, typer.Option(help="Address to serve on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8001,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open a web browser on the page.")] = True,
    write_metadata: Annotated[Path | None, typer.Option("--write-metadata", help="Only write Datasette's metadata file here (for your own `datasette serve`), then exit.", dir_okay=False)] = None,
) -> None:
    """Explore mentions in Datasette: full-text search, facets, canned queries (SQLite only).

    Needs the browse extra: pip install 'listener[browse]'. Read-only: the page never changes the data.
    Example: listener browse ; listener browse --demo ; listener browse --write-metadata metadata.json
    """
    from listener import browse as browse_module
    from listener.extras import MissingExtra, require

    database, topics = _demo_database(ctx, directory) if demo else _configured_database(ctx)
    if write_metadata is not None:
        browse_module.write_metadata(write_metadata, database, topics)
        if not state(ctx).quiet:
            err.print(f"wrote {write_metadata}", markup=False)
        return
    try:
        require("datasette", "browse", "listener browse")
    except MissingExtra as error:
        fail(str(error), EXIT_USAGE)
    with tempfile.TemporaryDirectory(prefix="listener-browse-") as folder:
        metadata = browse_module.write_metadata(Path(folder) / "metadata.json", database, topics)
        if not state(ctx).quiet:
            err.print(f"Datasette on http://{host}:{port}/{database.stem}/mentions_with_scores "
                      "(Ctrl-C to stop)", markup=False)
        command = browse_module.serve_command(database, metadata, host=host, port=port,
                                              open_browser=open_browser)
        try:
            code = subprocess.run(command, check=False).returncode
        except KeyboardInterrupt:  # Ctrl-C reaches Datasette too: a normal way to stop
            code = 0
    if code:
        raise typer.Exit(code)


def _configured_database(ctx: typer.Context) -> tuple[Path, list]:
    config = state(ctx).config()
    url = make_url(config.storage.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        fail(f"listener browse needs a SQLite database file (Datasette reads SQLite only); "
             f"storage.url is {db.redact_url(config.storage.url)}", EXIT_USAGE)
    _upgrade(config.storage.url)
    return Path(url.database).expanduser(), list(config.topics)


def _demo_database(ctx: typer.Context, directory: Path) -> tuple[Path, list]:
    from listener import demo as demo_module
    from listener.config import ConfigError, load

    database = directory / "listener.db"
    if not database.exists():
        quiet = state(ctx).quiet

        def say(step: str) -> None:
            if not quiet:
                err.print(f"… {step}", markup=False)

        say(f"making the demo in {directory} first (about a minute at most)")
        demo_module.run(directory, on_step=say)
    try:
        config = load(directory / "listener.toml")
    except ConfigError as error:
        fail(str(error), EXIT_USAGE)
    _upgrade(config.storage.url)
    return database, list(config.topics)


def _upgrade(url: str) -> None:
    """Bring the schema up to date first: Datasette finds the search index only from 0005 on."""
    try:
        db.create(url).dispose()
    except db.StorageError as error:
        fail(str(error))
