"""``listener`` command line. Each command group lives in its own module and
registers itself on ``app`` when imported; this list is the one place to add one."""

from listener.cli import (  # noqa: F401 - imported for their commands
    analysis,
    browse,
    core,
    demo,
    digest,
    ops,
    sandbox,
    sentiment,
)
from listener.cli.app import app


def main() -> None:
    app()
