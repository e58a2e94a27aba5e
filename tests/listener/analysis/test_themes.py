from __future__ import annotations

from datetime import timedelta

import pytest

from listener.analysis.period import iso_week
from listener.analysis.themes import theme_shares
from listener.config import starter_themes

WEEK = iso_week("2026-W47")
THEMES = [("Delays", 'delay* OR late OR "still waiting" OR retard*'),
          ("Price", "price* OR prix OR refund*")]


def test_negative_stories_split_by_theme_with_other_and_last_week(data, engine):
    data.topic("Acme", "acme")
    t = WEEK.start
    for text in ("acme order delayed again", "acme still waiting for my coffee",
                 "acme encore en retard", "acme prices up and late", "acme rude staff"):
        data.mention("Acme", t, text, label="negative")
    data.mention("Acme", t, "acme is late but lovely", label="positive")  # not negative
    for source in ("rss", "hackernews"):  # one story, two copies: counted once
        data.mention("Acme", t, "Acme refunds nobody", label="negative", source=source,
                     story_key="https://news.example/refunds")
    data.mention("Acme", t - timedelta(days=7), "acme delays", label="negative")
    with engine.connect() as c:
        (delays, price, other) = theme_shares(c, ["Acme"], WEEK, THEMES)["Acme"]
    assert (delays.theme, delays.negative_stories, delays.share) == ("Delays", 4, pytest.approx(4 / 6))
    assert (price.negative_stories, other.negative_stories) == (2, 1)  # "prices up and late": both
    assert other.theme == "other"
    assert (delays.previous_negative_stories, delays.previous_share) == (1, 1.0)
    assert price.previous_share == 0.0


def test_starter_themes_cover_the_generic_service_complaints_in_english_and_french():
    themes = {t.name: t for t in starter_themes()}
    assert list(themes) == ["Delays and waiting", "Price and billing", "Product quality",
                            "Staff and service", "App and website", "Delivery"]
    assert themes["Delays and waiting"].shown_name("fr") == "Retards et attente"
    assert all(t.name_fr for t in themes.values())
    from listener.query import parse

    checks = {"Delays and waiting": ["my order is delayed", "toujours pas de réponse, en retard"],
              "Price and billing": ["they overcharged me", "trop cher, je veux un remboursement"],
              "Delivery": ["parcel never arrived", "colis jamais livré"],
              "App and website": ["the app crashed at checkout", "l'appli plante"]}
    for name, texts in checks.items():
        for text in texts:
            assert parse(themes[name].query).matches(text), (name, text)
