"""One story from two feeds, through the real RSS connector and ingest, counts and lists once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from connectors.base import Budget, Search
from connectors.rss import RssConnector, RssSettings
from listener.analysis.period import week_of
from listener.analysis.trends import top_mentions
from listener.analysis.weekly import topic_weeks
from listener.config import TopicConfig
from listener.ingest import Ingestor
from storage.schema import mentions, scores
from tests.connectors import helpers
from tests.connectors.loopback import Answer, serve

# feedparser's recorded feed: one item with a pubDate (1 Jan 2004); we add what a trade
# article carries, with the tracking parameter each feed appends to its links
RECORDED = helpers.RECORDED / "rss" / "feedparser_wellformed_rss_item_pubDate_map_updated_parsed.xml"


def _feed(source: bytes):
    item = (b"<item><title>Acme coffee recalls its cold brew</title>"
            b"<link>https://news.example/acme-recall?utm_source=" + source + b"</link>")
    body = RECORDED.read_bytes().replace(b"<item>", item)
    return lambda method, path, headers: Answer(200, body, {"Content-Type": "application/xml"})


def _fetch(source: bytes):
    connector = RssConnector(RssSettings(), sleep=lambda s: None,
                             clock=lambda: datetime(2004, 1, 5, tzinfo=UTC))
    try:
        with serve(_feed(source)) as (url, _):
            pages = list(connector.fetch(Search(f"{url}/{source.decode()}.xml"), None, Budget()))
    finally:
        connector.close()
    return [m for page in pages for m in page.mentions]


def test_a_trade_article_from_its_feed_and_a_news_search_is_one_story_kept_twice(engine):
    ingest = Ingestor(engine, [TopicConfig(name="Acme", kind="brand", query="acme")])
    for source in (b"trade-feed", b"news-search"):
        ingest.store(_fetch(source))
    with engine.begin() as c:
        rows = c.execute(select(mentions.c.id, mentions.c.url, mentions.c.story_key)
                         .order_by(mentions.c.id)).all()
        for row in rows:  # as scoring would label them
            c.execute(insert(scores).values(mention_id=row.id, lang="en", label="negative",
                                            compound=-0.6, scorer="vader-en",
                                            scored_at=datetime(2004, 1, 2)))
    assert len(rows) == 2 and len({r.story_key for r in rows}) == 1  # every copy kept
    week = week_of(datetime(2004, 1, 1).date())
    with engine.connect() as c:
        (acme,) = topic_weeks(c, ["Acme"], week)
        listed = top_mentions(c, ["Acme"], week, label="negative")
    assert (acme.mentions, acme.stories, acme.sentiment.negative) == (2, 1, 1)
    assert len(listed) == 1 and listed[0]["copies"] == 2
    assert listed[0]["url"] == rows[0].url  # the first copy's link
