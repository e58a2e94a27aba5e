"""What every benchmark shares: the run context, the config, databases, timing, results."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import corpus

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"  # gitignored: corpora and the cached big databases
PYTHON = sys.executable


@dataclass
class Result:
    """One figure and the baseline measured beside it, in the same run."""

    bench: str
    figure: str
    value: float
    unit: str
    baseline: float | None = None  # same unit
    baseline_name: str = ""
    ratio: float | None = None  # as the target reads it (see each benchmark)
    target: str = ""  # e.g. ">= 0.25", "< 100 ms"
    passed: bool | None = None  # None: reported for reference, no target
    note: str = ""


@dataclass
class Context:
    size: int = 200_000  # corpus for ingest / end to end / by hand
    big: int = 1_000_000  # history for incremental / digest / query
    daily: int = 10_000  # the incremental run
    seed: int = 0
    postgres_url: str | None = None  # server URL; each run gets a fresh database
    keep: bool = False
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="listener-bench-")))
    log: Callable[[str], None] = print
    shared: dict[Any, Any] = field(default_factory=dict)  # figures measured once per run
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)  # closed at the end

    @property
    def backend(self) -> str:
        return "postgresql" if self.postgres_url else "sqlite"

    def corpus(self, size: int | None = None, **kwargs: Any) -> Path:
        size = size or self.size
        kwargs.setdefault("days", corpus.days_for(size))
        return corpus.cached(OUT, size, seed=self.seed, **kwargs)


def config_dict(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "storage": {"url": url},
        "topics": [{key: t[key] for key in ("name", "kind", "query")} for t in corpus.TOPICS],
        **extra,
    }


def make_config(url: str, **extra: Any):
    from listener.config import validate

    return validate(config_dict(url, **extra))


@contextlib.contextmanager
def database(ctx: Context, name: str) -> Iterator[str]:
    """A URL to a fresh, empty database; removed afterwards."""
    if ctx.postgres_url:
        server = make_url(ctx.postgres_url)
        if server.drivername == "postgresql":
            server = server.set(drivername="postgresql+psycopg")
        dbname = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{dbname}"'))
        try:
            yield server.set(database=dbname).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
            admin.dispose()
    else:
        path = ctx.work / f"{name}-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            if not ctx.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_sqlite(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    # Written to disk now, untimed: else the first checkpoint's fsync of the timed run
    # writes the whole fresh copy (hundreds of MB), which no real database has pending.
    descriptor = os.open(target, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (pool workers once shut down).

    On a machine shared with other work, wall time stretches with the queue for
    the cores; CPU time says how much work was done, so notes carry both.
    """
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def cpu_timed(function: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, value)."""
    cpu = cpu_seconds()
    wall, value = timed(function)
    return wall, cpu_seconds() - cpu, value


def run_child(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
              ) -> tuple[float, int, str, str, int]:
    """Run a subprocess; (wall seconds, peak RSS in bytes, stdout, stderr, exit code).

    ``os.wait4`` gives this child's own rusage, so other children never blur the peak.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out, stderr=err, env={**os.environ, **(env or {})},
                                   cwd=cwd or ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        return seconds, peak, out.read().decode(), err.read().decode(), process.returncode


def check(result: Result, ok: bool) -> Result:
    result.passed = ok
    return result
