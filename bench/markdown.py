"""The README's performance table from saved runs: ``python bench/markdown.py bench/out/results-….json [more.json]``.

One row per figure of each run (the run's backend is in the figure's name), with
the value, the baseline, the ratio the target is written against, the target and
the verdict, exactly as ``bench/run.py`` printed them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def rows(path: Path) -> list[str]:
    run = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for r in run["results"]:
        verdict = {True: "PASS", False: "**MISS**", None: ""}[r["passed"]]
        baseline = f"{number(r['baseline'])} {r['unit']} ({r['baseline_name']})" if r["baseline"] is not None else ""
        out.append(f"| {r['bench']}: {r['figure']} | {number(r['value'])} {r['unit']} | {baseline} | "
                   f"{number(r['ratio'])} | {r['target']} | {verdict} |")
    return out


def main() -> None:
    print("| figure | value | baseline | ratio | target | |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in sys.argv[1:]:
        print("\n".join(rows(Path(name))))


if __name__ == "__main__":
    main()
