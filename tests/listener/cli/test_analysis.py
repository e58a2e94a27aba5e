from __future__ import annotations

import json
from datetime import datetime, timedelta

from typer.testing import CliRunner

from listener.cli import app
from storage.db import create
from tests.builders import Data

CONFIG = """
[storage]
url = "sqlite:///{db}"

[[topics]]
name = "Acme"
kind = "brand"
query = '"acme coffee" OR @acme'

[[topics]]
name = "Rival"
kind = "competitor"
query = "rival"
"""


def setup(tmp_path):
    db = tmp_path / "cli.db"
    path = tmp_path / "listener.toml"
    path.write_text(CONFIG.format(db=db), encoding="utf-8")
    engine = create(f"sqlite:///{db}")
    monday = datetime(2026, 11, 16, 9)
    texts = [("Acme", "@acme why is my order late? This is terrible service", 5000),
             ("Acme", "I love the new acme coffee blend, delicious", 10),
             ("Acme", "Le café acme coffee est vraiment excellent", 20),
             ("Rival", "rival coffee was cold and awful", 30),
             ("Acme", "Acme coffee kahvesi bugün gerçekten çok güzeldi", 40)]
    data = Data(engine)
    data.topic("Acme", '"acme coffee" OR @acme')
    data.topic("Rival", "rival", kind="competitor")
    for n, (topic, text, followers) in enumerate(texts):  # not scored yet, language unknown
        data.mention(topic, monday + timedelta(hours=n), text, label=None, lang=None, author=f"user{n}",
                     followers=followers, url=f"https://x.com/u/{n}")
    engine.dispose()
    return path


def test_score_then_trends_then_eval(tmp_path, monkeypatch):
    from listener.cli.app import out

    monkeypatch.setattr(out, "width", 200)  # wide tables, as in a real terminal
    config = setup(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["--config", str(config), "score"])
    assert result.exit_code == 0, result.output
    assert "5 mentions scored" in result.output and "tr 1" in result.output
    again = runner.invoke(app, ["--config", str(config), "score"])
    assert "0 mentions scored" in again.output
    rescored = runner.invoke(app, ["--config", str(config), "score", "--rescore"])
    assert "5 mentions rescored" in rescored.output

    trends = runner.invoke(app, ["--config", str(config), "trends", "--topic", "acme",
                                 "--week", "2026-W47"])
    assert trends.exit_code == 0, trends.output
    for expected in ("2026-W47", "Topics", "Rival", "Top positive", "Top negative",
                     "Emerging terms", "Influencers", "To answer", "question to @acme"):
        assert expected in trends.output
    bad = runner.invoke(app, ["--config", str(config), "trends", "--topic", "Nope"])
    assert bad.exit_code == 2
    bad_week = runner.invoke(app, ["--config", str(config), "trends", "--topic", "Acme",
                                   "--week", "2026-47"])
    assert bad_week.exit_code == 2

    labels = tmp_path / "labels.csv"
    labels.write_text("source,id,label\nx,2,positive\nx,4,negative\nx,5,positive\n",
                      encoding="utf-8")
    evaluated = runner.invoke(app, ["--config", str(config), "eval", "--labels", str(labels),
                                    "--format", "json"])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.output)
    assert report["n"] == 3 and report["unscored"] == 1 and report["accuracy"] == 2 / 3
