"""``listener sandbox``: the simulated platform in the foreground, for trying connectors locally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from listener.cli.app import EXIT_USAGE, app, fail, out


@app.command()
def sandbox(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    days: Annotated[int, typer.Option("--days", min=1, help="Days of generated posts, up to now.")] = 14,
    per_day: Annotated[int, typer.Option("--per-day", min=1, help="Posts per day.")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated world and of the faults.")] = 0,
    faults: Annotated[str, typer.Option(
        "--faults", help="Faults to inject, e.g. 'rate_limit:nth=3,server_error:rate=0.1,slow:rate=1:latency=0.1'. "
        "Kinds: rate_limit, server_error, slow, truncated, malformed, bad_items, repeat, shuffle.")] = "",
    latency: Annotated[float, typer.Option("--latency", min=0, help="Seconds added to every answer.")] = 0.0,
) -> None:
    """Serve a simulated X, Reddit (and the other platforms) on loopback until Ctrl-C.

    The posts are generated about the demo topics (Acme Coffee, Beanly, Rival Roasters,
    specialty coffee). Example: listener sandbox --port 8765 --faults rate_limit:nth=3
    """
    from listener.sandbox import Faults, Sandbox, generate_world

    try:
        parsed = Faults.parse(faults, seed=seed, latency=latency)
    except ValueError as error:
        fail(f"--faults: {error}", EXIT_USAGE)
    end = datetime.now(UTC)
    world = generate_world(start=end - timedelta(days=days), end=end, seed=seed, per_day=per_day)
    try:
        server = Sandbox(world, parsed, port=port)
    except OSError as error:
        fail(f"cannot listen on 127.0.0.1:{port}: {error.strerror} (try --port 0)", EXIT_USAGE)
    out.print(f"sandbox listening on {server.url} with {len(world.posts)} posts", markup=False)
    out.print("Point connectors at it in listener.toml:", markup=False)
    for name in sorted(server.platforms):
        out.print(f"\n[connectors.{name}]", markup=False)
        for key, value in server.connector_settings(name).items():
            shown = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) \
                else repr(value).replace("'", '"')
            out.print(f"{key} = {shown}", markup=False)
    out.print("\nPress Ctrl-C to stop.", markup=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
