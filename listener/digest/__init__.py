"""The weekly digest: build it from the analysis API, write it to files, send it once.

One job per module:

* :mod:`listener.digest.build`: the digest model (``reports.model.Digest``) of one
  ``[[digests]]`` entry and week, from the analysis API and the week records of
  ``listener trends --format json``;
* :mod:`listener.digest.sources`: the health of each source (the one query of its own);
* :mod:`listener.digest.files`: render each digest and write its .html, .txt and .eml;
* :mod:`listener.digest.ledger`: send each digest to each recipient at most once per
  week, through the ``digests_sent`` ledger and one SMTP session.

Scope: a digest only ever queries its own ``topics`` (docs/architecture.md; tested).
"""

from listener.digest.build import build_digest, select_digests
from listener.digest.files import Built, build_all, write_digests
from listener.digest.ledger import Delivery, SendReport, send_digests
from listener.digest.sources import source_health

__all__ = ["Built", "Delivery", "SendReport", "build_all", "build_digest", "select_digests",
           "send_digests", "source_health", "write_digests"]
