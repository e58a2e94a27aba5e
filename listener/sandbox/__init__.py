"""The simulated platform: a generated world of posts served on loopback with the platforms' APIs.

Used by ``listener sandbox``, ``listener demo``, the tests and the load tests::

    from listener.sandbox import Sandbox, Faults, generate_world
    with Sandbox(generate_world(), faults=Faults.parse("rate_limit:nth=2")) as sandbox:
        ...  # point connectors at sandbox.url, e.g. sandbox.connector_settings("x")
"""

from listener.sandbox.faults import Fault, Faults
from listener.sandbox.server import PLATFORM_MODULES, Call, Reply, Route, Sandbox, load_platforms
from listener.sandbox.world import DEMO_TOPICS, Post, World, WorldTopic, generate_world

__all__ = [
    "DEMO_TOPICS",
    "PLATFORM_MODULES",
    "Call",
    "Fault",
    "Faults",
    "Post",
    "Reply",
    "Route",
    "Sandbox",
    "World",
    "WorldTopic",
    "generate_world",
    "load_platforms",
]
