"""One story, many copies: story_key and group_stories."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import Mention
from listener.stories import (
    _PLAIN_URL,
    _split,
    _split_canonicalized,
    canonical_url,
    find_urls,
    group_stories,
    post_key,
    story_key,
)

T = datetime(2026, 11, 1, tzinfo=UTC)


def m(source, text, url=None, title=None, i="1"):
    return Mention(source=source, external_id=i, text=text, created_at=T, url=url, title=title)


def test_canonical_url_drops_tracking_www_fragment_and_trailing_slash():
    assert canonical_url("HTTP://WWW.Example.com/a/b/?utm_source=x&id=2&fbclid=z#top") == \
        "https://example.com/a/b?id=2"


# (first, second): links to the same story.
SAME = [
    # tracking parameters
    ("https://www.theguardian.com/technology/2024/may/14/openai-gpt4o?utm_source=twitter&utm_medium=social",
     "https://www.theguardian.com/technology/2024/may/14/openai-gpt4o"),
    ("https://www.nytimes.com/2024/01/01/technology/ai.html?smid=nytcore-ios-share&referringSource=articleShare",
     "https://www.nytimes.com/2024/01/01/technology/ai.html?referringSource=articleShare"),
    ("https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk?si=1f2e3d4c5b6a7980",
     "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=Abc123xyz&feature=share",
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("https://techcrunch.com/2024/03/05/acme-raises/?ref=producthunt",
     "https://techcrunch.com/2024/03/05/acme-raises/"),
    ("https://www.example-shop.com/blog/launch?fbclid=IwAR0abcDEF123",
     "https://example-shop.com/blog/launch"),
    ("https://www.acme.com/pricing?gclid=Cj0KCQiA&msclkid=abc123&_ga=2.1.2.3",
     "https://acme.com/pricing"),
    ("https://www.instagram.com/p/C5xYz/?igsh=MWQ1ZGUxMzBkMA==",
     "https://www.instagram.com/p/C5xYz/"),
    ("https://blog.acme.io/post/42?mc_cid=abc&mc_eid=def&pk_campaign=spring",
     "https://blog.acme.io/post/42"),
    ("https://twitter.com/acme/status/1780000000000000000?ref_src=twsrc%5Etfw",
     "https://x.com/acme/status/1780000000000000000"),
    # AMP and mobile copies
    ("https://amp.theguardian.com/world/2024/apr/01/story",
     "https://www.theguardian.com/world/2024/apr/01/story"),
    ("https://www.bbc.co.uk/news/amp/world-europe-68000000",
     "https://www.bbc.co.uk/news/world-europe-68000000"),
    ("https://www.bbc.com/news/articles/c0000000000o.amp",
     "https://www.bbc.com/news/articles/c0000000000o"),
    ("https://www.washingtonpost.com/technology/2024/02/02/ai-chips/?outputType=amp",
     "https://www.washingtonpost.com/technology/2024/02/02/ai-chips/"),
    ("https://www-theverge-com.cdn.ampproject.org/c/s/www.theverge.com/2024/1/1/acme",
     "https://www.theverge.com/2024/1/1/acme"),
    ("https://www.google.com/amp/s/www.cnbc.com/amp/2024/05/01/acme-earnings.html",
     "https://www.cnbc.com/2024/05/01/acme-earnings.html"),
    ("https://en.m.wikipedia.org/wiki/Social_listening",
     "https://en.wikipedia.org/wiki/Social_listening"),
    ("https://m.facebook.com/acme/posts/123456789",
     "https://www.facebook.com/acme/posts/123456789"),
    ("https://mobile.twitter.com/acme/status/1780000000000000000",
     "https://twitter.com/acme/status/1780000000000000000"),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://youtu.be/dQw4w9WgXcQ?si=Zx9"),
    ("https://www.independent.co.uk/news/acme-b2500000.html?amp",
     "https://www.independent.co.uk/news/acme-b2500000.html"),
    # percent-encoding, IDNA, case
    ("https://de.wikipedia.org/wiki/B%C3%BCcher", "https://de.wikipedia.org/wiki/Bücher"),
    ("https://example.org/~alice/notes", "https://example.org/%7Ealice/notes"),
    ("https://example.org/a%7eb", "https://example.org/a~b"),
    ("https://example.org/caf%c3%a9", "https://example.org/caf%C3%A9"),
    ("https://bücher.de/angebote/neu", "https://xn--bcher-kva.de/angebote/neu"),
    ("https://münchen.de/aktuell", "https://XN--MNCHEN-3YA.DE/aktuell"),
    ("https://en.wikipedia.org/wiki/Foo_%28bar%29", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("HTTPS://NEWS.EXAMPLE.COM/Story", "https://news.example.com/Story"),
    ("https://example.com/search?q=social%20listening", "https://example.com/search?q=social+listening"),
    # scheme, www, port, trailing slash, fragment, query order, user info
    ("http://www.reuters.com/technology/acme-2024-05-01/", "https://reuters.com/technology/acme-2024-05-01"),
    ("https://arstechnica.com:443/gadgets/2024/acme/", "https://arstechnica.com/gadgets/2024/acme"),
    ("https://lwn.net/Articles/960000/#Comments", "https://lwn.net/Articles/960000/"),
    ("https://shop.example.com/item?color=red&id=7", "https://shop.example.com/item?id=7&color=red"),
    ("https://news.example.com./2024/story", "https://news.example.com/2024/story"),
    ("https://reader:secret@feeds.example.com/post/1", "https://feeds.example.com/post/1"),
    ("https://github.com/acme/listener/", "https://github.com/acme/listener?utm_source=hn"),
]

# (first, second): different stories that a careless canonicaliser would merge.
DIFFERENT = [
    ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo"),
    ("https://en.wikipedia.org/wiki/Mercury_(planet)", "https://en.wikipedia.org/wiki/Mercury_(element)"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=9bZkp7q19f0"),
    ("https://news.ycombinator.com/item?id=40000000", "https://news.ycombinator.com/item?id=40000001"),
    ("https://example.com/Story", "https://example.com/story"),
    ("https://example.org/a%2Fb", "https://example.org/a/b"),
    ("https://blog.acme.io/post/42", "https://acme.io/post/42"),
    ("https://acme.com/search?q=listener", "https://acme.com/search?q=listeners"),
    ("https://acme.com/page?id=1", "https://acme.com/page?id=2"),
    ("https://acme.com:8443/status", "https://acme.com/status"),
    ("https://github.com/acme/listener/issues/16", "https://github.com/acme/listener/issues/15"),
    ("https://www.bbc.co.uk/news/world-europe-68000000", "https://www.bbc.com/news/world-europe-68000000"),
    ("https://example.com/tag/amplifiers", "https://example.com/tag"),
    ("https://example.com/videos?output=json", "https://example.com/videos"),
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_copies_of_one_story_get_one_canonical_url(first, second):
    assert canonical_url(first) == canonical_url(second) is not None


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_stories_keep_different_canonical_urls(first, second):
    assert canonical_url(first) != canonical_url(second)


def test_the_table_covers_forty_real_world_pairs():
    assert len(SAME) + len(DIFFERENT) >= 40


@pytest.mark.parametrize("url", ["ftp://example.com/file", "https://", "mailto:a@example.com",
                                 "https://bad host.example/x", "http://example.com:99999/"])
def test_non_web_or_malformed_urls_have_no_canonical_form(url):
    assert canonical_url(url) is None


def test_canonical_url_never_keeps_user_info():
    assert "secret" not in canonical_url("https://reader:secret@feeds.example.com/a")


def test_find_urls_keeps_balanced_parentheses_and_drops_closing_punctuation():
    text = ("see (https://en.wikipedia.org/wiki/Foo_(bar)). Also [docs](https://acme.io/docs), "
            "«https://acme.io/a?x=1»!")
    assert find_urls(text) == ["https://en.wikipedia.org/wiki/Foo_(bar)", "https://acme.io/docs",
                               "https://acme.io/a?x=1"]


def test_post_linking_to_a_wikipedia_page_with_parentheses_keys_the_whole_page():
    post = m("mastodon", "context: https://en.wikipedia.org/wiki/Mercury_(planet)")
    assert story_key(post) == "https://en.wikipedia.org/wiki/Mercury_(planet)"


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


def test_a_repost_shares_the_story_of_the_post_it_repeats():
    repost = Mention(source="x", external_id="2", text="RT @a: I like coffee", created_at=T,
                     is_repost=True, parent_id="1")
    reply = Mention(source="x", external_id="3", text="@a me too", created_at=T, parent_id="1")
    assert story_key(repost) == post_key("x", "1")
    assert story_key(reply) is None  # a reply is a conversation of its own


def test_plain_post_has_no_story():
    assert story_key(m("mastodon", "I like coffee", url="https://fedi.example/@a/1")) is None


def test_group_stories_counts_copies_biggest_first():
    rows = [{"story_key": "a", "created_at": T}, {"story_key": "b", "created_at": T},
            {"story_key": "a", "created_at": T.replace(day=2)}, {"story_key": None, "created_at": T}]
    stories = group_stories(rows)
    assert [(s.key, s.count) for s in stories] == [("a", 2), ("b", 1)]
    assert stories[0].first["created_at"] == T


_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
_SEGMENT = st.one_of(st.just(""), st.just("."), st.just(".."), st.just("..."), st.just("amp"),
                     st.from_regex(r"[A-Za-z0-9_.~%-]{1,12}", fullmatch=True))
_URL = st.builds(
    lambda scheme, labels, segments, tail: f"{scheme}://{'.'.join(labels)}{''.join('/' + s for s in segments)}{tail}",
    st.sampled_from(["http", "https", "HTTP"]), st.lists(_LABEL, min_size=1, max_size=4),
    st.lists(_SEGMENT, max_size=5), st.sampled_from(["", "/", "?", "#", "?a=1", ":8080", "/.", "/.."]))


@given(_URL)
@settings(max_examples=500)
def test_a_url_already_in_canonical_form_splits_as_w3lib_would_canonicalise_it(url):
    """The shortcut past w3lib for plain links gives the same key (stored keys must stay stable)."""
    assert _split(url) == _split_canonicalized(url)


@pytest.mark.parametrize("url", ["https://example.com/p/87", "http://news.example.org/2026/11/a-story.html",
                                 "https://www.example.com/", "https://m.example.com/x/amp", "https://a.b/.well-known",
                                 "https://youtu.be/abc_DEF-1", "https://example.com//a//"])
def test_plain_links_take_the_shortcut_and_keep_their_key(url):
    assert _PLAIN_URL.fullmatch(url)
    assert _split(url) == _split_canonicalized(url)


_TEXT = st.lists(st.sampled_from(["see", "https://a.example/x?utm_source=y", "(https://b.example/y).", "HTTP://C.example",
                                  "acme", "ftp://d.example", "://", "news"]), max_size=6).map(" ".join)


@given(source=st.sampled_from(["x", "rss", "hackernews", "file"]), text=_TEXT,
       url=st.one_of(st.none(), _URL, st.just("https://news.ycombinator.com/item?id=1")),
       title=st.one_of(st.none(), st.just(""), st.just("Acme opens a café")),
       is_repost=st.booleans(), parent_id=st.one_of(st.none(), st.just("p1")))
@settings(max_examples=300)
def test_a_mention_and_its_fields_as_a_mapping_share_a_story_key(source, text, url, title, is_repost, parent_id):
    mention = Mention(source=source, external_id="1", text=text, created_at=T, url=url, title=title,
                      is_repost=is_repost, parent_id=parent_id)
    assert story_key(mention) == story_key(mention.as_dict())


@given(_URL)
@settings(max_examples=300)
def test_a_canonical_url_is_what_urlunsplit_makes_of_its_parts(url):
    key = canonical_url(url)
    assert key is None or urlunsplit(urlsplit(key)) == key


def test_find_urls_reads_links_in_any_case_and_nothing_without_a_scheme_separator():
    assert find_urls("HTTPS://A.example/x, then https://b.example") == ["HTTPS://A.example/x", "https://b.example"]
    assert find_urls("http:/a.example www.b.example") == []
