"""Optional extras: features whose libraries are not in a plain ``pip install listener``.

``require(module, extra, purpose)`` imports ``module`` or raises
:class:`MissingExtra` with the one command that fixes it, so the CLI can say
so before any work starts instead of failing halfway with an ImportError.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtra(Exception):
    """An optional dependency is not installed. The message names the pip command."""


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """``module`` imported, or MissingExtra naming ``pip install 'listener[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingExtra(
            f"{purpose} needs the optional {extra!r} extra ({module} is not installed): "
            f"pip install 'listener[{extra}]'"
        ) from error
