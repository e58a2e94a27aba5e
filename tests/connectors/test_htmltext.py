from connectors.htmltext import html_to_text


def test_hashtag_and_mention_links_keep_only_their_text():
    html = ('<p>Waited 25 minutes at <a href="https://m.example/@acmecoffee" class="u-url mention">@acmecoffee</a>. '
            '<a href="https://m.example/tags/acmecoffee" class="mention hashtag">#acmecoffee</a></p>')
    assert html_to_text(html) == "Waited 25 minutes at @acmecoffee. #acmecoffee"


def test_article_links_keep_their_address_so_stories_can_group():
    html = '<p>Read <a href="https://news.example/a-story">this</a></p>'
    assert html_to_text(html) == "Read this (https://news.example/a-story)"


def test_scripts_are_dropped_and_entities_decoded():
    assert html_to_text("<p>caf&eacute; <script>alert(1)</script>ok</p>") == "café ok"
