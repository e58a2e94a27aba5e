"""The rendered digest: sections in order, figures with their counts, user text escaped."""

from html.parser import HTMLParser

from reports.render import render
from reports.text import clean, safe_url


class _Collector(HTMLParser):
    """Tags, attributes and text as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_sections_appear_in_the_agreed_order(digest_factory):
    rendered = render(digest_factory("en"))
    headings = ["This week at a glance", "Our brand vs competitors", "What people say",
                "Most positive", "Most negative", "Emerging terms", "Conversations to answer today",
                "Influencers", "Industry trends", "This week&#39;s spikes", "Sources"]
    positions = [rendered.html.index(h) for h in headings]
    assert positions == sorted(positions)
    text_headings = [h.replace("&#39;", "'") for h in headings]
    positions = [rendered.text.index(h) for h in text_headings]
    assert positions == sorted(positions)


def test_every_percentage_comes_with_its_counts(digest_factory):
    rendered = render(digest_factory("en"))
    for part in (rendered.html, rendered.text):
        assert "+23%" in part
        assert "1,500 mentions (1,234 stories); last week 1,000 stories" in part
        assert "raw counts: 600 positive, 200 negative of 1,200 scored stories (raw net +33%)" in part
        assert "90% interval +30% to +37%" in part and "interval is wide" not in part
        assert "62%" in part and "1,234 of 2,000 brand and competitor stories" in part
        assert "also in 2 other sources" in part
        assert "420 mentions on Nov 19, 2026; usual level 150.0, alert threshold 260.5" in part
        assert "Reddit: no data since Tuesday — credentials rejected (401)" in part
        assert "34 mentions were not scored" in part and "de: 20, ja: 10, unknown: 4" in part


def test_french_digest_uses_french_strings_and_formats(digest_factory):
    rendered = render(digest_factory("fr"))
    assert rendered.subject == "acme-weekly : votre semaine 2026-W47 (16 nov. 2026 – 22 nov. 2026)"
    for part in (rendered.html, rendered.text):
        assert "La semaine en bref" in part
        assert "1\u202f500 mentions (1\u202f234 sujets) ; semaine dernière : 1\u202f000 sujets" in part
        assert "+23\u202f%" in part
        assert "Reddit : aucune donnée depuis mardi" in part
        assert "This week" not in part
    assert '<html lang="fr">' in rendered.html


def test_hostile_text_is_shown_as_text_never_as_markup(digest_factory, hostile_text, long_word):
    rendered = render(digest_factory("en", hostile=True))
    html = rendered.html
    assert "<script" not in html.lower()
    assert "onerror=" not in html.replace("onerror=alert(1)&gt;", "")  # only as escaped text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;@barista&lt;/b&gt;" in html  # author names too
    parsed = parse(html)
    assert {tag for tag, _ in parsed.tags} <= {
        "html", "head", "meta", "title", "body", "table", "tr", "td", "th", "h1", "h2", "h3", "p",
        "div", "span", "a", "img", "b", "br", "bdi", "ul", "li"}
    assert all(not name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    visible = "".join(parsed.text)
    assert "<script>alert('x')</script>" in visible
    assert long_word[:300] in visible  # long words are shortened, not dropped
    assert "\u202eevil\u202c עברית مرحبا zero\u200bwidth\u200d emoji 😀👍🏽" in visible
    # the plain-text part carries the same text, not escaped, bidi isolated
    assert "<script>alert('x')</script>" in rendered.text
    assert "\u2068<script>" in rendered.text and "\u2069" in rendered.text
    assert "zero\u200bwidth\u200d emoji 😀👍🏽" in rendered.text


def test_rtl_zero_width_and_emoji_survive_in_short_texts(digest_factory):
    from dataclasses import replace

    digest = digest_factory("en")
    post = replace(digest.top_positive[0], text="\u202eevil\u202c עברית zero\u200bwidth 😀👍🏽")
    digest.top_positive = [post]
    rendered = render(digest)
    assert "\u202eevil\u202c עברית zero\u200bwidth 😀👍🏽" in rendered.html
    assert 'dir="auto"' in rendered.html
    assert "\u2068\u202eevil\u202c עברית zero\u200bwidth 😀👍🏽\u2069" in rendered.text


def test_only_http_links_are_emitted(digest_factory):
    rendered = render(digest_factory("en"))
    hrefs = [attrs["href"] for tag, attrs in parse(rendered.html).tags if tag == "a"]
    assert "https://example.com/p/1" in hrefs
    assert all(href.startswith(("https://", "http://")) for href in hrefs)
    assert "javascript:" not in rendered.html and "javascript:" not in rendered.text
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://ok.example/a b") is None
    assert safe_url(" https://ok.example/x ") == "https://ok.example/x"


def test_no_script_no_external_resource_images_by_cid(digest_factory):
    rendered = render(digest_factory("en"))
    tags = parse(rendered.html).tags
    sources = [attrs["src"] for tag, attrs in tags if tag == "img"]
    assert sources and all(src.startswith("cid:") for src in sources)
    assert {src[4:] for src in sources} == {chart.cid for chart in rendered.charts}
    assert not any(tag in ("script", "link", "iframe", "style") for tag, _ in tags)
    assert "table-layout:fixed" in rendered.html and "word-break:break-word" in rendered.html


def test_clean_removes_control_characters_and_shortens():
    assert clean("a\x00b\x1b[31mc\nd") == "a b [31mc d"
    assert clean("x" * 10, 5) == "xxxx…"
    assert clean(None) == ""


def test_empty_sections_say_so(digest_factory):
    digest = digest_factory("en")
    digest.spikes = []
    digest.conversations = []
    digest.unscored_by_language = {}
    rendered = render(digest)
    assert "Nothing this week." in rendered.text
    assert "Every mention of the week was scored" in rendered.html


def _with_template_cache(monkeypatch, directory) -> None:
    """Jinja's compiled-template cache of both kinds in ``directory`` (fresh environments)."""
    from reports import render as module

    module._compiled.cache_clear()
    monkeypatch.setattr(module, "_compiled", lambda kind: module._CompiledTemplates(
        str(directory), pattern=f"__listener_{kind}_%s.cache"))


def test_a_digest_rendered_from_compiled_templates_is_the_one_compiled_afresh(
        digest_factory, monkeypatch, tmp_path):
    from dataclasses import replace

    from reports.model import SourceHealth

    # a source line (a partial both parts include) with characters HTML escapes
    digest = replace(digest_factory(), sources=[SourceHealth("X", "failing", None, error="a < b & c")])
    _with_template_cache(monkeypatch, tmp_path)
    compiled = render(digest)  # compiles, and stores the code of each kind apart
    assert len(list(tmp_path.iterdir())) == 6  # two pages and two partials, the partials twice
    loaded = render(digest)
    assert (loaded.html, loaded.text) == (compiled.html, compiled.text)
    assert "a < b & c" in loaded.text and "a &lt; b &amp; c" in loaded.html


def test_a_template_cache_that_cannot_be_written_is_no_error(digest_factory, monkeypatch, tmp_path):
    digest = digest_factory()
    expected = render(digest)
    _with_template_cache(monkeypatch, tmp_path / "missing")
    assert render(digest).html == expected.html


def test_the_text_helpers_load_without_matplotlib_which_only_charts_need():
    import subprocess
    import sys

    code = ("import sys, listener.alerts, listener.cli.analysis, reports.text; "
            "print('matplotlib' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"  # the alerts and `listener trends` never draw a chart
