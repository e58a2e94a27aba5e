"""listener: self-hosted social listening. From Python: ``db = listener.open("listener.toml")``.

``open`` and ``Listener`` are loaded on first use, so the command line does not pay
for pandas at start-up.
"""

from typing import Any

__all__ = ["Listener", "open"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from listener import api

        return getattr(api, name)
    raise AttributeError(f"module 'listener' has no attribute {name!r}")
