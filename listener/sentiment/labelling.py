"""What to label next: unlabelled mentions spread across topics and weeks.

A manager labelling 100 mentions should see the whole picture, not 100 posts
from the loudest topic's busiest week: candidates are grouped by (topic, ISO
week) and taken round-robin, one group after another, in a random order.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

KEYS = {"n": "negative", "u": "neutral", "p": "positive"}
SKIP, QUIT = "s", "q"


def spread(candidates: Iterable[tuple[int, Any, datetime]], limit: int,
           rng: random.Random | None = None) -> list[int]:
    """Up to ``limit`` distinct mention ids from (mention id, topic id, created_at) rows,
    taken in turn from each (topic, ISO week) group."""
    rng = rng or random.Random()
    groups: dict[tuple[Any, tuple[int, int]], list[int]] = {}
    for mention_id, topic_id, created_at in candidates:
        year, week, _ = created_at.isocalendar()
        groups.setdefault((topic_id, (year, week)), []).append(mention_id)
    queues = list(groups.values())
    rng.shuffle(queues)
    chosen: dict[int, None] = {}
    while queues and len(chosen) < limit:
        for queue in list(queues):
            while queue and queue[-1] in chosen:
                queue.pop()
            if not queue:
                queues.remove(queue)
                continue
            chosen[queue.pop()] = None
            if len(chosen) >= limit:
                break
    return list(chosen)
