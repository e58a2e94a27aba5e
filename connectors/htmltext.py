"""HTML fragments (HN comments, feed summaries, Mastodon statuses) as plain text.

Block elements and ``<br>`` become line breaks, entities are decoded, scripts
and styles are dropped, whitespace is collapsed. Links keep their text; when a
link's text is not its address (a shortened "example.com/…" or a word), the
address is appended in brackets so the first link of a post stays findable
(``listener.stories`` groups posts by it).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4",
           "h5", "h6", "tr", "table", "hr", "section", "article"}
_DROP = {"script", "style", "template"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0
        self.links: list[tuple[str, int]] = []  # (href, index in parts where its text starts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.dropping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href, len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            shown = "".join(self.parts[start:]).strip()
            # "#tag" and "@user" links (Mastodon) are part of the text, not articles.
            is_tag = shown.startswith(("#", "@"))
            if href.startswith(("http://", "https://")) and not is_tag and not _same_link(shown, href):
                self.parts.append(f" ({href})" if shown else href)

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def _same_link(shown: str, href: str) -> bool:
    return shown == href or shown.rstrip("/") == href.rstrip("/")


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment ("" for None)."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.parts)
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
