"""One story, many copies: story_key and group_stories."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.base import Mention
from listener.stories import canonical_url, group_stories, story_key

T = datetime(2026, 11, 1, tzinfo=UTC)


def m(source, text, url=None, title=None, i="1"):
    return Mention(source=source, external_id=i, text=text, created_at=T, url=url, title=title)


def test_canonical_url_drops_tracking_www_fragment_and_trailing_slash():
    assert canonical_url("HTTP://WWW.Example.com/a/b/?utm_source=x&id=2&fbclid=z#top") == \
        "https://example.com/a/b?id=2"


def test_same_link_on_several_platforms_is_one_story():
    keys = {
        story_key(m("rss", "Acme opens", url="https://www.news.example/acme/?utm_medium=rss", title="Acme opens")),
        story_key(m("bluesky", "read this https://news.example/acme", url="https://bsky.app/profile/a/post/1")),
        story_key(m("hackernews", "Acme opens\n\nhttps://news.example/acme?gclid=1",
                    url="https://news.ycombinator.com/item?id=5", title="Acme opens")),
    }
    assert keys == {"https://news.example/acme"}


def test_syndicated_title_without_shared_link_groups_by_title():
    a = story_key(m("rss", "Acme Opens!", title="Acme Opens!"))
    b = story_key(m("rss", "acme opens", title="acme opens"))
    assert a == b and a.startswith("title:")


def test_plain_post_has_no_story():
    assert story_key(m("mastodon", "I like coffee", url="https://fedi.example/@a/1")) is None


def test_group_stories_counts_copies_biggest_first():
    rows = [{"story_key": "a", "created_at": T}, {"story_key": "b", "created_at": T},
            {"story_key": "a", "created_at": T.replace(day=2)}, {"story_key": None, "created_at": T}]
    stories = group_stories(rows)
    assert [(s.key, s.count) for s in stories] == [("a", 2), ("b", 1)]
    assert stories[0].first["created_at"] == T
