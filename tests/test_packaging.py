"""Packaging kept true: every module imports, and every third-party import is a declared dependency.

Import names are mapped to distributions with ``importlib.metadata.packages_distributions()``
(``unidecode`` -> ``Unidecode``, ``atproto_client`` -> ``atproto``). Distributions of an extra
(``parquet``, ``browse``, ``postgres``) may only be imported inside functions, so a plain
``pip install listener`` imports every module.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pkgutil
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("listener", "connectors", "storage", "reports")
# Alembic loads these scripts itself (env.py runs migrations on import).
NOT_IMPORTED = ("storage.migrations",)
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DEV_EXTRAS = {"test"}


def _name(requirement: str) -> str:
    """The PEP 503 normalised distribution name of a requirement string."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


BASE = {_name(r) for r in PROJECT["dependencies"]}
EXTRAS = {_name(r) for extra, reqs in PROJECT["optional-dependencies"].items()
          if extra not in DEV_EXTRAS for r in reqs}
DISTRIBUTIONS = {module: {_name(d) for d in dists}
                 for module, dists in importlib.metadata.packages_distributions().items()}


def modules() -> list[str]:
    found = []
    for package in PACKAGES:
        found.append(package)
        path = [str(ROOT / package)]
        for info in pkgutil.walk_packages(path, prefix=f"{package}."):
            if not info.name.startswith(NOT_IMPORTED):
                found.append(info.name)
    return found


def source_of(module: str) -> Path:
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def third_party_imports(module: str) -> list[tuple[str, int, bool]]:
    """(top-level import name, line, imported at module level) for each non-stdlib, non-local import."""
    tree = ast.parse(source_of(module).read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.partition(".")[0]
            if top in sys.stdlib_module_names or top in PACKAGES or top == "__future__":
                continue
            found.append((top, node.lineno, id(node) in top_level))
    return found


MODULES = modules()


def test_the_four_packages_have_modules():
    assert len(MODULES) > 40
    assert {"listener.cli", "connectors.reddit", "storage.db", "reports.charts"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports(module):
    importlib.import_module(module)


@pytest.mark.parametrize("module", MODULES)
def test_every_third_party_import_is_a_declared_dependency(module):
    problems = []
    for name, line, at_module_level in third_party_imports(module):
        distributions = DISTRIBUTIONS.get(name)
        if not distributions:
            problems.append(f"{name} (line {line}): no installed distribution provides it")
        elif distributions & BASE:
            continue
        elif distributions & EXTRAS and not at_module_level:
            continue  # an optional extra, imported where the feature runs
        elif distributions & EXTRAS:
            problems.append(f"{name} (line {line}): from an optional extra, import it inside the function")
        else:
            problems.append(f"{name} (line {line}): {', '.join(sorted(distributions))} not declared")
    assert problems == [], f"{module}: {problems}"


def test_pyarrow_is_an_optional_extra_not_a_base_dependency():
    assert "pyarrow" not in BASE
    assert "pyarrow" in {_name(r) for r in PROJECT["optional-dependencies"]["parquet"]}
