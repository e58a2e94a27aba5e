"""RSS/Atom connector against the sandbox feeds and feedparser's recorded test feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import Search
from connectors.errors import CredentialsError, RetriableError
from connectors.rss import RssConnector, RssSettings
from listener.platform_queries import render
from listener.sandbox import Faults, Sandbox, generate_world
from tests.connectors import helpers
from tests.connectors.helpers import opened, topic_searches
from tests.connectors.helpers import pages_and_state as drain
from tests.connectors.loopback import Answer, serve

RECORDED = helpers.RECORDED / "rss"
END = datetime(2026, 11, 1, 12, tzinfo=UTC)
WORLD = generate_world(start=END - timedelta(days=5), end=END, seed=5, per_day=30, platforms=("rss",))
TOPICS = topic_searches("rss")


def make(**settings) -> RssConnector:
    connector = RssConnector(RssSettings(**settings), sleep=lambda s: None, clock=lambda: END)
    return opened(connector)




def test_news_search_query_keeps_or_phrases_and_exclusions():
    assert render("news", '"acme coffee" OR @acme OR (#acme -job)') == '"acme coffee" OR acme OR (acme -job)'
    assert render("news", "(a OR b) c") == "(a OR b) c"


def test_feeds_and_news_searches_are_one_stream_each():
    with Sandbox(WORLD) as sandbox:
        connector = make(**sandbox.connector_settings("rss"))
        searches = connector.searches(TOPICS)
        assert len(searches) == 3 + len(TOPICS)
        ids = set()
        for search in searches:
            pages, _ = drain(connector, search)
            ids |= {m.external_id for p in pages for m in p.mentions}
            assert all(m.title and m.url and "<p>" not in m.text for p in pages for m in p.mentions)
    assert len(ids) >= len(WORLD.for_platform("rss"))


def test_conditional_get_returns_nothing_new_on_304():
    with Sandbox(WORLD) as sandbox:
        connector = make(**sandbox.connector_settings("rss"))
        feed = Search(connector.settings.feeds[0])
        first, state = drain(connector, feed)
        assert first[0].mentions and state["etag"] and state["last_modified"]
        second, state2 = drain(connector, feed, state)
    assert second[0].mentions == [] and second[0].state is None and state2 == state
    assert sandbox.requests("/feeds/")[-1][2] == 304


def test_ill_formed_feed_keeps_entries_and_counts_the_problem():
    with Sandbox(WORLD) as sandbox:
        pages, _ = drain(make(), Search(f"{sandbox.url}/feeds/broken.xml"))
    assert pages[0].mentions and pages[0].skipped >= 1


def test_html_instead_of_a_feed_stores_nothing_and_keeps_state():
    with Sandbox(WORLD, Faults.parse("malformed:nth=1")) as sandbox:
        pages, state = drain(make(), Search(f"{sandbox.url}/feeds/press.xml"), {"etag": '"x"'})
    assert pages[0].mentions == [] and pages[0].skipped == 1 and state == {"etag": '"x"'}


def test_bad_items_are_skipped_and_counted():
    with Sandbox(WORLD, Faults.parse("bad_items:nth=1")) as sandbox:
        pages, _ = drain(make(), Search(f"{sandbox.url}/feeds/press.xml"))
    assert pages[0].skipped >= 1 and pages[0].mentions


def test_errors_map_to_retriable_and_credentials():
    def answer(method, path, headers):
        return Answer(503 if "down" in path else 403)

    with serve(answer) as (url, _):
        with pytest.raises(RetriableError):
            drain(make(), Search(f"{url}/down.xml"))
        with pytest.raises(CredentialsError, match=r"connectors\.rss\.feeds"):
            drain(make(), Search(f"{url}/private.xml"))


def _recorded(name: str, headers: dict[str, str] | None = None, add: bytes = b""):
    body = (RECORDED / name).read_bytes().replace(b"<item>", b"<item>" + add)
    return lambda method, path, h: Answer(200, body, {"Content-Type": "application/xml", **(headers or {})})


def test_recorded_rss_feeds_parse_with_dates_links_and_guids():
    name = "feedparser_wellformed_rss_item_pubDate_map_updated_parsed.xml"
    with serve(_recorded(name)) as (url, _):
        (page,), _ = drain(make(), Search(f"{url}/a.xml"))
    assert page.mentions == [] and page.skipped == 1  # nothing to identify or say: skipped
    with serve(_recorded(name, add=b"<title>Acme opens</title>")) as (url, _):
        (page,), _ = drain(make(), Search(f"{url}/a.xml"))
    assert page.mentions[0].created_at.year == 2004  # pubDate, not the fetch time
    with serve(_recorded("feedparser_wellformed_rss_item_guid_isPermaLink_map_link.xml")) as (url, _):
        (page,), _ = drain(make(), Search(f"{url}/b.xml"))
    assert page.mentions[0].external_id == page.mentions[0].url == "http://guid.example.com/"


def test_recorded_truncated_feed_is_tolerated():
    with serve(_recorded("feedparser_illformed_rss_item_link_corrupted_ampersands.xml")) as (url, _):
        (page,), _ = drain(make(), Search(f"{url}/c.xml"))
    assert page.skipped == 1 and page.mentions[0].url == "http://link/get?a=1&b=2"
    assert page.mentions[0].created_at == END  # no date: the fetch time


def test_recorded_304_headers_become_the_cursor():
    headers = {"ETag": '"abc123"', "Last-Modified": "Thu, 21 Apr 2011 19:02:20 GMT"}
    with serve(_recorded("feedparser_http_http_status_304.xml", headers)) as (url, _):
        _, state = drain(make(), Search(f"{url}/d.xml"))
    assert state == {"etag": '"abc123"', "last_modified": "Thu, 21 Apr 2011 19:02:20 GMT"}


def test_feed_level_language_is_not_taken_as_each_entrys_language():
    import feedparser

    from connectors.rss import entry_to_mention

    feed = feedparser.parse(b"""<?xml version="1.0"?><rss version="2.0"><channel><language>en-us</language>
      <item><guid>g1</guid><title>Bei Acme Coffee gewartet</title>
      <description>Bei Acme Coffee gewartet und der Kaffee war kalt</description>
      <pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>""")
    mention = entry_to_mention(feed.entries[0], feed_url="https://feed.example/rss",
                               fetched_at=datetime(2026, 11, 16, tzinfo=UTC))
    assert mention.lang is None  # left to the language detector
    assert mention.text == "Bei Acme Coffee gewartet und der Kaffee war kalt"  # headline not repeated
