"""A bad config is reported in one pass; digest names cannot leave their folder (items 8, 12)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from listener.cli import app
from listener.config import ConfigError, validate
from listener.paths import UnsafePath, inside

TOPIC = {"name": "Acme", "kind": "brand", "query": "acme"}


def problems(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate(raw)
    return [str(problem) for problem in caught.value.problems]


def test_booleans_are_strict_true_or_false():
    found = problems({"topics": [TOPIC], "alerts": {"enabled": "yes"},
                      "connectors": {"hackernews": {"enabled": "yes"}, "rss": {"news_search": 1}}})
    assert sorted(p.split(":")[0] for p in found) == [
        "alerts.enabled", "connectors.hackernews.enabled", "connectors.rss.news_search"]
    assert all("write true or false" in p for p in found)


def test_every_problem_is_listed_in_one_pass():
    """A field error no longer hides the cross-reference and connector checks behind it."""
    found = problems({
        "topics": [TOPIC, TOPIC, {"name": "Bad", "kind": "nope", "query": "x"}],
        "digests": [{"name": "weekly", "recipients": ["a@example.com"], "topics": ["Missing"]},
                    {"name": "weekly", "recipients": ["not-an-email"], "topics": ["Acme"]}],
        "connectors": {"nosuch": {}, "hackernews": {"max_requests": "ten"}},
    })
    keys = [p.split(":")[0] for p in found]
    assert "topics.2.kind" in keys and "topics" in keys  # field error and repeated topic name
    assert "digests.0.topics" in keys and "digests" in keys and "digests.1.recipients" in keys
    assert "connectors.nosuch" in keys and "connectors.hackernews.max_requests" in keys


@pytest.mark.parametrize("name", ["..", "../x", "/etc/cron.d/x", ".hidden", "a/b", "a\\b", "", "x" * 101])
def test_unsafe_digest_names_are_refused(name):
    found = problems({"topics": [TOPIC], "digests": [
        {"name": name, "recipients": ["a@example.com"], "topics": ["Acme"]},
        {"name": "..", "recipients": ["b@example.com"], "topics": ["Acme"]},
    ]})
    assert sum("is not a safe name" in p for p in found) == 2  # both listed at once


def test_every_written_path_stays_under_its_folder(tmp_path):
    assert inside(tmp_path, "2026-W47", "acme-weekly") == tmp_path.resolve() / "2026-W47" / "acme-weekly"
    (tmp_path / "link").symlink_to("/tmp")
    for parts in (("..",), (".",), ("2026-W47", "..", ".."), ("/etc", "passwd"), ("link", "x"), ("",)):
        with pytest.raises(UnsafePath):
            inside(tmp_path, *parts)


def test_out_of_range_since_and_week_are_clear_usage_errors(config_file):
    config = config_file(extra='[[digests]]\nname = "w"\nrecipients = ["a@example.com"]\ntopics = ["Acme"]\n')
    since = CliRunner().invoke(app, ["--config", str(config), "mentions", "--since", "99999999d"])
    assert since.exit_code == 2 and "reaches back before the year 1" in since.stderr
    for week in ("9999-W52", "0001-W01"):
        result = CliRunner().invoke(app, ["--config", str(config), "digest", "--week", week, "--dry-run"])
        assert result.exit_code == 2 and "the year must be between" in result.stderr, result.output


def test_a_digest_before_any_collect_is_written_not_a_traceback(config_file, tmp_path):
    config = config_file(extra='[[digests]]\nname = "w"\nrecipients = ["a@example.com"]\ntopics = ["Acme"]\n')
    result = CliRunner().invoke(app, ["--config", str(config), "digest", "--week", "2026-W47",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "w.html").is_file() and "Traceback" not in result.output
