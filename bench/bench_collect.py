"""7. Collection from the sandbox, 100 ms latency on every request, all sources at once.

Each registered sandbox platform is first collected alone (fresh database
each), then all together (fresh database). Connectors run in threads, so their
waits overlap. Target: all together <= 1.5 x the slowest single source (not
their sum).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench import corpus
from bench.common import Context, Result, check, database, make_config, timed

TARGET = 1.5
LATENCY = 0.1


def collect_once(url: str, settings: dict[str, dict], only: list[str]) -> tuple[float, int, list[str]]:
    from listener.pipeline import collect
    from storage import db

    engine = db.create(url)
    config = make_config(url, connectors={name: settings[name] for name in only})
    try:
        seconds, report = timed(lambda: collect(engine, config))
    finally:
        engine.dispose()
    problems = [f"{r.name}: {r.status} {r.error}" for r in report.connectors if r.status != "ok"]
    return seconds, sum(r.fetched for r in report.connectors), problems


def sandbox_world(ctx: Context):
    """The sandbox serving every registered platform, LATENCY on each request; (sandbox, platform names)."""
    from listener.sandbox.faults import Faults
    from listener.sandbox.server import Sandbox, load_platforms
    from listener.sandbox.world import WorldTopic, generate_world

    platforms = load_platforms()
    names = list(platforms)
    topics = [WorldTopic(t["name"], t["kind"], t["query"], tuple(t["terms"][:3])) for t in corpus.TOPICS]
    now = datetime.now(UTC)  # platforms serve "recent" posts: the world ends now
    world = generate_world(topics, now - timedelta(days=6), now, seed=ctx.seed, per_day=60,
                           platforms=names)
    return Sandbox(world, Faults(latency=LATENCY)), names


def run(ctx: Context) -> list[Result]:
    single: dict[str, tuple[float, int]] = {}
    notes = []
    server, names = sandbox_world(ctx)
    with server as sandbox:
        settings = {name: sandbox.connector_settings(name) for name in names}
        for name in names:
            with database(ctx, f"collect-{name}") as url:
                seconds, fetched, problems = collect_once(url, settings, [name])
            single[name] = (seconds, fetched)
            notes += problems
        with database(ctx, "collect-all") as url:
            total, fetched, problems = collect_once(url, settings, names)
            notes += problems
    slowest = max(single, key=lambda name: single[name][0])
    ratio = total / single[slowest][0]
    detail = ", ".join(f"{name} {s:.1f} s/{n}" for name, (s, n) in single.items())
    summed = sum(s for s, _ in single.values())
    return [check(Result(
        "collect", f"{len(names)} sources at once, {LATENCY * 1000:.0f} ms latency ({ctx.backend})", total, "s",
        baseline=single[slowest][0], baseline_name=f"slowest single source ({slowest})", ratio=ratio,
        target=f"ratio <= {TARGET}",
        note=(f"{fetched} mentions; sum of singles {summed:.1f} s; {detail}"
              + (f"; {len(names)} of 6 sources registered" if len(names) < 6 else "")
              + (f"; problems: {'; '.join(notes)}" if notes else "")),
    ), ratio <= TARGET)]
