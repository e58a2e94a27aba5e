"""examples/: the systemd units pass `systemd-analyze verify`; the crontab runs real commands."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from listener.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
INSTALLED = "/srv/listener/.venv/bin/listener"


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (not a systemd machine)")
def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    # verify checks that ExecStart's program exists: point it at this environment's listener
    listener = shutil.which("listener", path=str(Path(sys.executable).parent))
    assert listener, "the listener script is not installed next to this Python"
    for name in ("listener.service", "listener.timer"):
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED, listener), encoding="utf-8")
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", str(tmp_path / "listener.service"),
                             str(tmp_path / "listener.timer")], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_crontab_jobs_have_five_time_fields_and_run_existing_commands():
    commands = set(typer.main.get_command(app).commands)
    jobs = [line.split() for line in (EXAMPLES / "crontab").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(jobs) >= 2
    for job in jobs:
        schedule, program, args = job[:5], job[5], job[6:]
        assert all(field[0] in "*0123456789" for field in schedule), job
        assert program == INSTALLED, job
        command = next(arg for arg in args if not arg.startswith("-"))
        assert command in commands, job
