"""``listener demo``: the whole pipeline on an embedded default, no account, no network.

A generated month of posts about a fictional coffee brand, two competitors and
an industry topic is served by the sandbox on loopback; the real connectors
collect it, mentions are scored, and English and French digests are written.
What is left in the directory (database, config, digests) is ordinary: every
other command works on it afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import annotated_types

from connectors import REGISTRY
from listener import operations
from listener.config import Config, starter_themes, validate
from listener.pipeline import CollectReport
from listener.sandbox.server import Sandbox, load_platforms
from listener.sandbox.world import DEMO_TOPICS, generate_world
from listener.sentiment.pending import ScoreReport

WEEKS = 4
DIGESTS = (
    {"name": "acme-weekly", "recipients": ["manager@example.com"], "language": "en"},
    {"name": "acme-hebdo", "recipients": ["direction@example.fr"], "language": "fr"},
)


@dataclass
class DemoResult:
    directory: Path
    config_path: Path
    database: Path
    collect: CollectReport
    score: ScoreReport
    digests: list[Path] = field(default_factory=list)
    period: str = ""


def demo_settings(directory: Path) -> dict[str, Any]:
    """The demo's config as data: topics, digests, the database in ``directory``."""
    topics = [{"name": t.name, "kind": t.kind, "query": t.query} for t in DEMO_TOPICS]
    names = [t["name"] for t in topics]
    return {
        "storage": {"url": f"sqlite:///{(directory / 'listener.db').resolve()}"},
        "topics": topics,
        "digests": [{**digest, "topics": names} for digest in DIGESTS],
        "themes": [theme.model_dump() for theme in starter_themes()],
        "smtp": {"host": "localhost", "security": "none", "sender": "listener-demo@example.com"},
    }


def run(directory: Path, *, now: datetime | None = None, seed: int = 7,
        on_step: Callable[[str], None] = lambda _: None) -> DemoResult:
    from listener.analysis.period import iso_week

    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(directory)
    platforms = load_platforms()
    on_step(f"generating {WEEKS} weeks of posts on {', '.join(platforms)}")
    world = generate_world(DEMO_TOPICS, now - timedelta(weeks=WEEKS), now, seed=seed, platforms=tuple(platforms))
    with Sandbox(world, platforms=platforms) as sandbox:
        connectors = {}
        for name in platforms:
            connectors[name] = {**sandbox.connector_settings(name), "backfill_days": _backfill(name),
                                "max_requests": 5000, "max_mentions": None}
        config = validate({**settings, "connectors": connectors})
        on_step(f"collecting through the real connectors from the sandbox at {sandbox.url}, then scoring")
        outcome = operations.collect(config)
    period = iso_week(None, today=now.date())
    on_step(f"writing digests for {period.label}")
    digests = operations.write_digests(config, period, directory / "digests")
    config_path = write_config(directory, settings)
    return DemoResult(directory, config_path, directory / "listener.db", outcome.collect, outcome.score,
                      digests, period.label)


def _backfill(connector: str) -> int:
    """The whole demo period, or as far back as the platform's API allows (X: 7 days)."""
    field = REGISTRY[connector].Settings.model_fields["backfill_days"]
    limits = [item.le for item in field.metadata if isinstance(item, annotated_types.Le)]
    return min([WEEKS * 7 + 1, *limits])


def write_config(directory: Path, settings: dict[str, Any]) -> Path:
    """A listener.toml pointing at the demo database, so every command works on it."""
    path = directory / "listener.toml"
    q = json.dumps  # a JSON string is a valid TOML basic string
    lines = [
        "# Written by `listener demo`. The sandbox that served the posts has stopped;",
        "# to collect again, run `listener sandbox` and add [connectors.*] sections it prints.",
        "",
        "[storage]",
        f"url = {q(settings['storage']['url'])}",
    ]
    for topic in settings["topics"]:
        lines += ["", "[[topics]]", *(f"{key} = {q(value)}" for key, value in topic.items())]
    for digest in settings["digests"]:
        lines += ["", "[[digests]]", f"name = {q(digest['name'])}",
                  f"recipients = [{', '.join(map(q, digest['recipients']))}]",
                  f"topics = [{', '.join(map(q, digest['topics']))}]", f"language = {q(digest['language'])}"]
    for theme in settings.get("themes", []):
        lines += ["", "[[themes]]", *(f"{key} = {q(value)}" for key, value in theme.items()
                                      if value is not None)]
    lines += ["", "[smtp]", *(f"{key} = {q(value)}" for key, value in settings["smtp"].items()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def summary(result: DemoResult, config: Config | None = None) -> list[str]:
    lines = [f"demo written to {result.directory}"]
    for item in result.collect.connectors:
        lines.append(f"  {item.name:<10} {item.status:<8} {item.fetched:>5} fetched {item.new:>5} new"
                     + (f"  ({item.error})" if item.error else ""))
    lines.append(f"  scored {result.score.scored} mentions, {result.score.unscored} not scored (language)")
    lines.append(f"  digests for {result.period}:")
    lines += [f"    {path}" for path in result.digests]
    lines.append(f"try: listener --config {result.config_path} mentions --topic 'Acme Coffee' --since 7d")
    return lines
