"""``listener browse``: the database in Datasette, described for people who click rather than type.

:func:`metadata` builds Datasette's metadata document: what each table and
column holds, facets on topic, source, sentiment and language, full-text search
on the mentions (``mentions_fts``), and canned queries for the questions a
manager asks first. :func:`serve_command` is the ``datasette serve`` command
line that shows it. Datasette is the optional ``browse`` extra and reads SQLite
only.

The canned queries are SQL, so they approximate the digest's Python rules:
"conversations to answer" counts as a question a post naming one of the brand's
@handles with a ``?`` ending a sentence (the digest also reads interrogative
openings such as "how" or "pourquoi").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from listener.analysis.conversations import brand_handles
from listener.config import TopicConfig

MIN_FOLLOWERS = 1000  # as listener.analysis.conversations.to_answer

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "mentions_with_scores": (
        "Start here: one row per post with its sentiment and topics. Search the text, "
        "or narrow by topic, source, sentiment and language with the facets.",
        {
            "source": "Platform: x, reddit, hackernews, rss, mastodon, bluesky, or file for imports.",
            "external_id": "The post's id on its platform.",
            "created_at": "When it was posted (UTC).",
            "author": "The author's handle on the platform.",
            "author_followers": "The author's followers when the post was collected (reach).",
            "url": "Link to the post (or, for news items, the article).",
            "title": "Headline of news items (RSS, Hacker News); empty for ordinary posts.",
            "text": "The post's text.",
            "lang": "Language: the platform's tag, else detected from the text.",
            "sentiment": "positive, neutral, negative, or unscored (a language listener does not score).",
            "compound": "Sentiment score from -1 (most negative) to +1 (most positive).",
            "likes": "Likes, favourites or upvotes at collection time.",
            "reposts": "Reposts, retweets or boosts.",
            "replies": "Replies or comments.",
            "views": "Views, where the platform reports them.",
            "is_repost": "1 when the post only shares another post.",
            "is_reply": "1 when the post answers another post.",
            "topics": "The configured topics the post matches (a JSON list).",
        },
    ),
    "mentions": (
        "Every collected post, exactly as stored. Copies of one story share story_key.",
        {
            "collected_at": "When listener collected it (UTC).",
            "lang": "The platform's own language tag, if it gave one.",
            "story_key": "Shared by every copy of one story: the canonical link, or a hash of the headline.",
            "text_hash": "Identical texts share a hash (and one sentiment score).",
            "parent_id": "The post this one answers or shares, on its platform.",
            "raw": "The platform's original record, as received.",
        },
    ),
    "topics": ("The topics from listener.toml: brand, competitor or industry.",
               {"kind": "brand, competitor or industry.", "query": "What a post must contain."}),
    "matches": ("Which post matches which topic.", {}),
    "scores": ("Sentiment per post.", {
        "lang": "The language the post was scored in.",
        "lang_detected": "1 when the language was detected from the text, 0 when the platform said.",
        "label": "positive, neutral, negative or unscored.",
        "scorer": "The lexicon that scored it, e.g. vader-en, vader-fr.",
    }),
    "labels": ("Sentiment labels given by a person (listener label): the reference the scorer is "
               "checked and calibrated against.", {"label": "positive, neutral or negative, as a person read it."}),
    "authors": ("One row per author and platform, with the latest follower count.", {}),
    "author_stats": ("Per author: reach, mentions, engagement and sentiment.", {}),
    "daily_mentions": ("Mentions per day, source and topic.", {}),
    "mention_topics": ("One row per post and topic it matches.", {}),
    "runs": ("One row per command run (collect, import, score, digest, alerts).", {}),
    "connector_runs": ("One row per source per collect run: counts and errors.", {}),
    "connector_health": ("The latest collect of each source.", {}),
    "digests_sent": ("Which digest went to whom for which week.", {}),
    "alerts_sent": ("Spike and negative-mention alerts sent.", {}),
}
HIDDEN = ("alembic_version", "connector_state", "meta")
FACETS = ["source", "sentiment", "lang", {"array": "topics"}]
SEARCHABLE = ("mentions", "mentions_with_scores")  # both have the mention id as rowid / id


# A '?' that ends a sentence, not the one in a link's ``?utm_source=``.
_QUESTION_MARK = ("(m.text LIKE '%?' OR m.text LIKE '%? %' OR m.text LIKE '%?' || char(10) || '%' "
                  "OR m.text LIKE '%?)%')")


def _sql_strings(values: Sequence[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def conversations_sql(topics: Sequence[TopicConfig]) -> str:
    """This week's brand mentions worth an answer: criticism with reach, questions to the brand."""
    kinds = ["brand"] if any(t.kind == "brand" for t in topics) else ["brand", "competitor", "industry"]
    handles = brand_handles([(t.kind, t.query) for t in topics])
    question = " OR ".join(f"lower(m.text) LIKE '%@{h}%'" for h in handles) or "0"
    own = f"AND lower(coalesce(m.author, '')) NOT IN ({_sql_strings(handles)})" if handles else ""
    negative = f"s.label = 'negative' AND coalesce(m.author_followers, 0) >= {MIN_FOLLOWERS}"
    return f"""SELECT m.created_at, m.source, m.author, m.author_followers AS followers,
  CASE WHEN {negative} THEN 'negative, high reach' ELSE 'question to the brand' END AS reason,
  s.label AS sentiment, m.text, m.url
FROM mentions m
JOIN matches x ON x.mention_id = m.id
JOIN topics t ON t.id = x.topic_id
LEFT JOIN scores s ON s.mention_id = m.id
WHERE t.kind IN ({_sql_strings(kinds)}) AND x.created_at >= datetime('now', '-7 days')
  AND NOT m.is_repost {own}
  AND (({negative}) OR ({_QUESTION_MARK} AND ({question})))
GROUP BY m.id
ORDER BY m.created_at DESC"""


NEGATIVE_STORIES_SQL = """SELECT coalesce(m.story_key, 'post:' || m.source || ':' || m.external_id) AS story,
  count(*) AS copies,
  sum(coalesce(m.author_followers, 0)) AS reach,
  round(avg(s.compound), 3) AS average_sentiment,
  min(m.created_at) AS first_seen,
  substr(coalesce(max(m.title), min(m.text)), 1, 200) AS example
FROM mentions m JOIN scores s ON s.mention_id = m.id
WHERE s.label = 'negative' AND m.created_at >= datetime('now', '-30 days')
GROUP BY coalesce(m.story_key, 'post:' || m.source || ':' || m.external_id)
ORDER BY reach DESC, copies DESC
LIMIT 100"""

SHARE_OF_VOICE_SQL = """WITH weekly AS (
  SELECT date(x.created_at, 'weekday 0', '-6 days') AS week_of, t.name AS topic, t.kind,
    count(DISTINCT coalesce(m.story_key, 'post:' || m.source || ':' || m.external_id)) AS stories, count(*) AS mentions
  FROM matches x
  JOIN topics t ON t.id = x.topic_id
  JOIN mentions m ON m.id = x.mention_id
  WHERE t.kind IN ('brand', 'competitor')
  GROUP BY week_of, t.name, t.kind
)
SELECT week_of, topic, kind, stories, mentions,
  round(100.0 * stories / sum(stories) OVER (PARTITION BY week_of), 1) AS share_of_voice_pct
FROM weekly
ORDER BY week_of DESC, share_of_voice_pct DESC"""


def metadata(database: str, topics: Sequence[TopicConfig]) -> dict[str, Any]:
    """Datasette metadata for the database named ``database`` (the file's stem)."""
    tables: dict[str, Any] = {
        name: {"description": description, **({"columns": columns} if columns else {})}
        for name, (description, columns) in TABLES.items()
    }
    # The view shows the mentions table's column descriptions too.
    tables["mentions_with_scores"]["columns"] = {
        **tables["mentions"]["columns"], **tables["mentions_with_scores"]["columns"]}
    tables["mentions_with_scores"].update(facets=FACETS, sort_desc="created_at")
    tables["mentions"].update(facets=["source", "lang"], sort_desc="created_at")
    for name in SEARCHABLE:
        tables[name].update(fts_table="mentions_fts", fts_pk="id")
    tables.update({name: {"hidden": True} for name in HIDDEN})
    queries = {
        "conversations_to_answer": {
            "title": "This week's conversations to answer",
            "description": f"Brand mentions of the last 7 days worth a reply: negative posts by authors "
                           f"with at least {MIN_FOLLOWERS:,} followers, and questions (a sentence ending in '?') "
                           f"naming one of the brand's @handles. Reposts and the brand's own posts are left out.",
            "sql": conversations_sql(topics),
        },
        "negative_stories_by_reach": {
            "title": "Negative stories by reach",
            "description": "Negative posts of the last 30 days grouped by story (copies of one article "
                           "count once), by the summed followers of their authors.",
            "sql": NEGATIVE_STORIES_SQL,
        },
        "share_of_voice_by_week": {
            "title": "Share of voice by week",
            "description": "Brand and competitors per week (starting Monday): stories about each, and "
                           "their share of all brand and competitor stories that week.",
            "sql": SHARE_OF_VOICE_SQL,
        },
    }
    return {
        "title": "listener",
        "description": "Mentions collected by listener, with sentiment and topics. "
                       "Start with mentions_with_scores, or a canned query below.",
        "databases": {database: {"tables": tables, "queries": queries}},
    }


def write_metadata(path: Path, database: Path, topics: Sequence[TopicConfig]) -> Path:
    path.write_text(json.dumps(metadata(database.stem, topics), indent=2, ensure_ascii=False),
                    encoding="utf-8")
    return path


def serve_command(database: Path, metadata_path: Path, *, host: str, port: int,
                  open_browser: bool) -> list[str]:
    """``datasette serve`` for ``database`` (read-only: Datasette never writes to it)."""
    command = [sys.executable, "-m", "datasette", "serve", str(database),
               "--metadata", str(metadata_path), "--host", host, "--port", str(port),
               # facets and counts over a large history need more than the 200 ms default
               "--setting", "facet_time_limit_ms", "1000", "--setting", "sql_time_limit_ms", "5000"]
    return [*command, "--open"] if open_browser else command
