"""The HTML digest in a real browser (headless Chromium): laid out, not blank, not widened."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.render import build_charts, render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
WIDTH, HEIGHT = 800, 1200

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # a headless Chromium per test: seconds each
    pytest.mark.real_sleep,  # waits for the Chromium process
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                       "(Debian: apt-get install chromium; .ci/run installs it)"),
]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--no-first-run", "--disable-component-update",
               "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
               f"--window-size={WIDTH},{HEIGHT}", *args]
    return subprocess.run(command, capture_output=True, timeout=60, check=False)


def preview(digest) -> str:
    """The email HTML with cid: images as data: URIs, as a mail client would show them."""
    sources = {chart.cid: "data:image/png;base64," + base64.b64encode(chart.png).decode()
               for chart in build_charts(digest)}
    return render(digest, image_src=sources).html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshot_has_the_window_size_and_is_not_blank(tmp_path, digest_factory, language):
    from PIL import Image

    page = tmp_path / "digest.html"
    page.write_text(preview(digest_factory(language, hostile=True)), encoding="utf-8")
    shot = tmp_path / "shot.png"
    result = chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr.decode(errors="replace")[-2000:]
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, charts, backgrounds
    # the white card is centred: the page background shows on both sides
    background = image.getpixel((2, 600))
    assert image.getpixel((WIDTH - 3, 600)) == background != (255, 255, 255)


def test_hostile_long_word_does_not_widen_the_page(tmp_path, digest_factory):
    """A test-only wrapper (scripts are fine here, never in the email) reports the layout."""
    report = in_browser(tmp_path, preview(digest_factory("en", hostile=True)),
                        "var d = doc.documentElement; var widest = 0;"
                        " doc.querySelectorAll('*').forEach(function (e) {"
                        "  widest = Math.max(widest, e.getBoundingClientRect().right); });"
                        " return {scroll: d.scrollWidth, client: d.clientWidth,"
                        "  widest: Math.round(widest)};")
    assert report["scroll"] <= report["client"] <= WIDTH
    assert report["widest"] <= WIDTH


def in_browser(tmp_path: Path, html: str, body: str) -> dict:
    """Load ``html`` in an iframe of a test-only page (scripts are fine here, never in the
    email) and return what the JavaScript ``body`` returns about its ``doc``, as JSON."""
    import html as html_module
    import json

    (tmp_path / "digest.html").write_text(html, encoding="utf-8")
    wrapper = tmp_path / "wrapper.html"
    wrapper.write_text(
        "<!DOCTYPE html><html><body style='margin:0'>"
        f"<iframe id='f' src='digest.html' style='border:0;width:{WIDTH}px;height:{HEIGHT}px'>"
        "</iframe><pre id='out'>pending</pre><script>"
        "document.getElementById('f').onload = function () { var doc = this.contentDocument;"
        f" document.getElementById('out').textContent = JSON.stringify((function () {{ {body} }})());"
        "};</script></body></html>", encoding="utf-8")
    result = chromium(tmp_path, "--allow-file-access-from-files", "--virtual-time-budget=5000",
                      "--dump-dom", wrapper.as_uri())
    dom = result.stdout.decode(errors="replace")
    assert '<pre id="out">{' in dom, result.stderr.decode(errors="replace")[-2000:]
    return json.loads(html_module.unescape(dom.split('<pre id="out">')[1].split("</pre>")[0]))


def _visible_text(tmp_path: Path, html: str) -> dict:
    """What a reader sees (innerText), the script elements, and the decoded images."""
    return in_browser(tmp_path, html,
                      "return {text: doc.body.innerText,"
                      " scripts: doc.querySelectorAll('script').length,"
                      " images: Array.from(doc.images).filter(function (i) {"
                      "  return i.naturalWidth > 0; }).length};")


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["Influencers", "followers unknown", "Acme's roastery tour was worth it",
            "Themes of criticism", "Delays and waiting", "45%", "other (no theme)",
            "also in 2 other sources", "90% interval"]),
    ("fr", ["Influenceurs", "abonnés inconnus", "Thèmes des critiques", "Retards et attente", "45\u202f%",
            "autres (sans thème)", "repris par 2 autres sources", "intervalle à 90\u202f%"]),
])
def test_influencers_and_themes_render_in_the_browser_with_hostile_text_inert(
        tmp_path, digest_factory, hostile_text, language, expected):
    seen = _visible_text(tmp_path, preview(digest_factory(language, hostile=True)))
    for text in expected:
        assert text in seen["text"], text
    assert seen["scripts"] == 0  # the hostile <script> is text, not an element
    assert "<script>alert('x')</script>" in seen["text"]  # shown as written
    assert seen["images"] == 2  # both charts decoded
