"""The database schema, readable by people and outside tools (Datasette, any SQL client).

Tables
------
mentions         one row per post, natural key (source, external_id)
authors          one row per (source, handle), latest follower count
topics           configured brand / competitor / industry topics
matches          mention x topic, with the mention's created_at copied in so
                 per-topic time windows are one index range scan
scores           sentiment per mention; label 'unscored' for languages we do not score
connector_state  cursor per (connector, stream), written with the mentions it covers
runs             one row per command run (collect, import, score, digest, …)
connector_runs   one row per connector per collect run: counts and errors
digests_sent     ledger per (digest, recipient, period): a rerun never resends
alerts_sent      spike / negative-mention alerts, for cooldowns and daily caps
meta             small key/value facts (e.g. scoring watermark)
labels           a person's sentiment label per mention (listener label), for calibration and training

Times are stored as naive UTC (SQLite has no time zones); ``storage.times``
converts at the edges.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# Deterministic constraint names keep Alembic migrations identical on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids on PostgreSQL, INTEGER PRIMARY KEY (rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer, "sqlite")

mentions = Table(
    "mentions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("collected_at", DateTime, nullable=False),
    Column("author", String(255)),  # handle, joins authors on (source, handle)
    Column("author_followers", BigInteger),  # at collection time
    Column("text", Text, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("lang", String(16)),  # the platform's own tag, if any
    Column("likes", BigInteger),
    Column("reposts", BigInteger),
    Column("replies", BigInteger),
    Column("views", BigInteger),
    Column("is_repost", Boolean, nullable=False, server_default=text("false")),
    Column("is_reply", Boolean, nullable=False, server_default=text("false")),
    Column("parent_id", String(255)),
    Column("text_hash", String(32), nullable=False),  # identical texts share a score
    Column("story_key", String(255)),  # copies of one story share it
    Column("raw", JSON),
    UniqueConstraint("source", "external_id"),
    Index("ix_mentions_created_at", "created_at"),
    Index("ix_mentions_source_created_at", "source", "created_at"),
    Index("ix_mentions_author", "source", "author"),
    Index("ix_mentions_story_key", "story_key"),
)

authors = Table(
    "authors",
    metadata,
    Column("source", String(32), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("platform_id", String(255)),
    Column("name", Text),
    Column("followers", BigInteger),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    PrimaryKeyConstraint("source", "handle"),
)

topics = Table(
    "topics",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # brand | competitor | industry
    Column("query", Text, nullable=False),
)

matches = Table(
    "matches",
    metadata,
    Column("topic_id", Id, ForeignKey("topics.id", ondelete="CASCADE"), nullable=False),
    Column("mention_id", Id, ForeignKey("mentions.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),  # copy of mentions.created_at
    PrimaryKeyConstraint("topic_id", "mention_id"),
    Index("ix_matches_topic_created_mention", "topic_id", "created_at", "mention_id"),
    Index("ix_matches_mention_id", "mention_id"),
)

scores = Table(
    "scores",
    metadata,
    Column("mention_id", Id, ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True),
    Column("lang", String(16)),  # the language scored in (platform tag or detected)
    Column("lang_detected", Boolean, nullable=False, server_default=text("false")),
    Column("label", String(16), nullable=False),  # positive | neutral | negative | unscored
    Column("compound", Float),
    Column("pos", Float),
    Column("neu", Float),
    Column("neg", Float),
    Column("scorer", String(32), nullable=False),  # e.g. vader-en, vader-fr, none
    Column("scored_at", DateTime, nullable=False),
    Index("ix_scores_label", "label"),
)

labels = Table(
    "labels",
    metadata,
    Column("mention_id", Id, ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True),
    Column("label", String(16), nullable=False),  # negative | neutral | positive
    Column("labelled_at", DateTime, nullable=False),
)

connector_state = Table(
    "connector_state",
    metadata,
    Column("connector", String(32), nullable=False),
    Column("stream", String(512), nullable=False),
    Column("state", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    PrimaryKeyConstraint("connector", "stream"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("command", String(32), nullable=False),  # collect | import | score | digest | alerts
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed
    Column("counts", JSON),
    Column("error", Text),
    Column("host", String(255)),
    Column("pid", Integer),
    Index("ix_runs_command_started", "command", "started_at"),
)

connector_runs = Table(
    "connector_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", Id, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("connector", String(32), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed
    Column("fetched", Integer, nullable=False, server_default=text("0")),
    Column("new", Integer, nullable=False, server_default=text("0")),
    Column("skipped", Integer, nullable=False, server_default=text("0")),
    Column("requests", Integer, nullable=False, server_default=text("0")),
    Column("error", Text),
    Index("ix_connector_runs_connector_started", "connector", "started_at"),
)

digests_sent = Table(
    "digests_sent",
    metadata,
    Column("digest", String(255), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("period", String(16), nullable=False),  # ISO week, e.g. 2026-W47
    Column("status", String(16), nullable=False),  # sent | failed
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Column("message_id", String(255)),
    Column("archive_path", Text),
    Column("updated_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    PrimaryKeyConstraint("digest", "recipient", "period"),
)

alerts_sent = Table(
    "alerts_sent",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # spike | negative
    Column("topic", String(255), nullable=False),
    Column("key", String(255), nullable=False),  # what makes two alerts the same event
    Column("channel", String(32), nullable=False),  # email | webhook
    Column("sent_at", DateTime, nullable=False),
    Column("detail", JSON),
    UniqueConstraint("kind", "topic", "key", "channel"),
    Index("ix_alerts_sent_sent_at", "sent_at"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON),
)
