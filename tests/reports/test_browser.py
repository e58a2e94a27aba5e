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
    digest = digest_factory("en", hostile=True)
    email_html = preview(digest)
    (tmp_path / "digest.html").write_text(email_html, encoding="utf-8")
    wrapper = tmp_path / "measure.html"
    wrapper.write_text(
        "<!DOCTYPE html><html><body style='margin:0'>"
        f"<iframe id='f' src='digest.html' style='border:0;width:{WIDTH}px;height:{HEIGHT}px'></iframe>"
        "<pre id='out'>pending</pre><script>"
        "document.getElementById('f').onload = function () {"
        " var d = this.contentDocument.documentElement;"
        " var widest = 0; this.contentDocument.querySelectorAll('*').forEach(function (e) {"
        "  widest = Math.max(widest, e.getBoundingClientRect().right); });"
        " document.getElementById('out').textContent = 'scroll=' + d.scrollWidth + ' client=' +"
        "  d.clientWidth + ' widest=' + Math.round(widest); };"
        "</script></body></html>", encoding="utf-8")
    result = chromium(tmp_path, "--allow-file-access-from-files", "--virtual-time-budget=5000",
                      "--dump-dom", wrapper.as_uri())
    dom = result.stdout.decode(errors="replace")
    assert "scroll=" in dom, result.stderr.decode(errors="replace")[-2000:]
    figures = dict(item.split("=") for item in dom.split("<pre id=\"out\">")[1].split("<")[0].split())
    assert int(figures["scroll"]) <= int(figures["client"]) <= WIDTH
    assert int(figures["widest"]) <= WIDTH
