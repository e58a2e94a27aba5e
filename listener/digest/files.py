"""Render each digest once and write it: ``<name>.html``, ``.txt`` and the ``.eml`` to send."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from markupsafe import escape
from sqlalchemy import Engine

from listener.analysis.period import Period
from listener.config import Config, DigestConfig
from listener.digest.build import build_digest_on_both_cores, select_digests
from listener.mail import aware_utc
from listener.paths import inside
from reports import email as email_module
from reports import model
from reports.render import Rendered, render
from storage.times import utcnow


@dataclass
class Built:
    config: DigestConfig
    digest: model.Digest
    rendered: Rendered

    def message(self, sender: str, recipients: Sequence[str], now: datetime,
                msgid: str | None = None):
        return email_module.build_message(
            subject=self.rendered.subject, text=self.rendered.text, html=self.rendered.html,
            charts=self.rendered.charts, sender=sender, recipients=recipients,
            language=self.digest.language, date=aware_utc(now),
            msgid=msgid,
            headers={"X-Listener-Digest": f"{self.digest.name}; {self.digest.period_label}"})


def build_all(engine: Engine, config: Config, period: Period, *, names: Sequence[str] | None = None,
              now: datetime | None = None) -> list[Built]:
    now = now or utcnow()
    built = []
    for entry in select_digests(config, names):
        digest = build_digest_on_both_cores(engine, config, entry, period, now=now)
        built.append(Built(entry, digest, render(digest)))
    return built


def write_digests(engine: Engine, config: Config, period: Period, out_dir: Path, *,
                  names: Sequence[str] | None = None, now: datetime | None = None) -> list[Path]:
    """Write ``<name>.html``, ``<name>.txt`` and ``<name>.eml`` per digest; the paths written.

    The .html file shows the charts as files next to it (``<name>-volume.png``…), so it
    opens in a browser; the .eml is exactly what would be sent to all recipients.
    """
    now = now or utcnow()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for item in build_all(engine, config, period, names=names, now=now):
        name = item.digest.name
        images = {chart.cid: f"{name}-{chart.filename}" for chart in item.rendered.charts}
        for chart in item.rendered.charts:
            inside(out_dir, images[chart.cid]).write_bytes(chart.png)
        browser_html = _with_image_files(item, images)
        files = {
            inside(out_dir, f"{name}.html"): browser_html.encode("utf-8"),
            inside(out_dir, f"{name}.txt"): item.rendered.text.encode("utf-8"),
            inside(out_dir, f"{name}.eml"): bytes(item.message(config.smtp.sender, item.config.recipients, now)),
        }
        for path, content in files.items():
            path.write_bytes(content)
            paths.append(path)
    return paths


def _with_image_files(item: Built, images: dict[str, str]) -> str:
    """The rendered HTML with its ``cid:`` images pointing at the chart files instead.

    Reuses the one rendering (charts are the costly part) rather than rendering again;
    falls back to a second rendering if a chart's ``<img src="cid:…">`` is not found.
    """
    html = item.rendered.html
    for cid, filename in images.items():
        cid_src, file_src = f'src="{escape("cid:" + cid)}"', f'src="{escape(filename)}"'
        if cid_src not in html:
            return render(item.digest, image_src=images).html
        html = html.replace(cid_src, file_src)
    return html
