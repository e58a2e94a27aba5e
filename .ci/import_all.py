"""Import every module of the installed packages: run in a venv holding only `pip install .`.

Proves that a plain install has no undeclared import. Run it from outside the
checkout, so the installed copy is imported, not the source tree.
"""

import importlib
import pkgutil
import sys
from pathlib import Path

PACKAGES = ("listener", "connectors", "storage", "reports")
SKIP = ("storage.migrations",)  # Alembic loads these scripts itself

failed = []
count = 0
for package in PACKAGES:
    root = importlib.import_module(package)
    if not any((Path(folder) / "py.typed").exists() for folder in root.__path__):
        failed.append(f"{package}: no py.typed in the installed package (PEP 561)")
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if info.name.startswith(SKIP):
            continue
        count += 1
        try:
            importlib.import_module(info.name)
        except Exception as error:  # report every failing module, not just the first
            failed.append(f"{info.name}: {error!r}")
print(f"ci: imported {count} modules with only the declared dependencies")
if failed:
    print("\n".join(failed))
    sys.exit(1)
