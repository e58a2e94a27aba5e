"""`listener browse`: SQLite only, the extra named when missing, and the demo in a real browser."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from listener.cli import app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CONFIG = """
[storage]
url = "{url}"

[[topics]]
name = "Acme"
kind = "brand"
query = "acme OR @acmehq"
"""


def config(tmp_path: Path, url: str | None = None) -> Path:
    path = tmp_path / "listener.toml"
    path.write_text(CONFIG.format(url=url or f"sqlite:///{tmp_path / 'listener.db'}"), encoding="utf-8")
    return path


def run(path: Path, *args: str):
    return CliRunner().invoke(app, ["--config", str(path), "browse", *args])


def test_browse_refuses_a_postgresql_database_saying_why(tmp_path):
    result = run(config(tmp_path, "postgresql://listener:s3cret@db.example/listener"))
    assert result.exit_code == 2
    assert "SQLite" in result.output and "s3cret" not in result.output


def test_browse_without_datasette_names_the_extra_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasette", None)  # what an install without the extra sees
    result = run(config(tmp_path))
    assert result.exit_code == 2
    assert "pip install 'listener[browse]'" in result.output


def test_write_metadata_describes_the_configured_database(tmp_path):
    target = tmp_path / "metadata.json"
    result = run(config(tmp_path), "--write-metadata", str(target))
    assert result.exit_code == 0, result.output
    database = json.loads(target.read_text(encoding="utf-8"))["databases"]["listener"]
    assert set(database["queries"]) == {"conversations_to_answer", "negative_stories_by_reach",
                                        "share_of_voice_by_week"}
    assert "@acmehq" in database["queries"]["conversations_to_answer"]["sql"]
    assert (tmp_path / "listener.db").exists()  # migrated first, so the search index is detectable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, deadline: float) -> None:
    """Until the server answers (it first builds the demo); fail if it exits or never answers."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"listener browse exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    pytest.fail(f"{url} never answered")


def dump_dom(tmp_path: Path, url: str) -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, timeout=60, check=False)
    return result.stdout.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.real_sleep  # waits for Datasette and Chromium, separate processes
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                    "(Debian: apt-get install chromium; .ci/run installs it)")
def test_browse_demo_shows_search_results_and_canned_queries_in_chromium(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from listener.cli import main; main()", "browse", "--demo", "--dir", str(tmp_path / "demo"),
         "--port", str(port), "--no-open"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path, start_new_session=True)
    base = f"http://127.0.0.1:{port}/listener"
    try:
        wait_for(f"{base}.json", server, time.monotonic() + 240)
        page = dump_dom(tmp_path, f"{base}/mentions_with_scores")
        assert "Start here" in page and "rows-and-columns" in page

        found = dump_dom(tmp_path, f"{base}/mentions_with_scores?_search=subscription")
        assert "where search matches" in found
        assert found.count('<tr>') > 1 and "subscription" in found.lower()

        query = dump_dom(tmp_path, f"{base}/share_of_voice_by_week")
        assert "Share of voice by week" in query and "Acme Coffee" in query and "<td" in query
    finally:
        os.killpg(server.pid, signal.SIGINT)  # the group: listener and the Datasette it started
        server.wait(timeout=30)
