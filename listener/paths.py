"""Files written under a folder stay under it, whatever names the config or data hold."""

from __future__ import annotations

from pathlib import Path


class UnsafePath(ValueError):
    """A name that would write outside its folder (``..``, ``/``, a symlink out)."""


def inside(folder: Path | str, *parts: str) -> Path:
    """``folder / parts…``, refused unless it resolves to a path under ``folder``."""
    base = Path(folder).resolve()
    path = base.joinpath(*parts).resolve()
    if path == base or not path.is_relative_to(base):
        raise UnsafePath(f"{'/'.join(parts)!r} would be written outside {base}")
    return path
