"""sort indexes for `listener mentions --sort`, and views for outside tools

Indexes: expression indexes on the reach and engagement sort keys, so each page
of a sorted query is an index range scan. The expressions are written exactly
as storage/queries.py builds them (literal constants), so SQLite uses them.

Views (read-only, for Datasette or any SQL client):
  mention_topics    one row per (mention, topic) with the topic's kind
  author_stats      per author: followers, mentions, engagement, sentiment
  daily_mentions    mentions per day, source and topic
  connector_health  the latest run of each connector

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

REACH = "coalesce(author_followers, -1)"
ENGAGEMENT = "coalesce(likes, 0) + coalesce(reposts, 0) + coalesce(replies, 0)"

VIEWS = {
    "mention_topics": """CREATE VIEW mention_topics AS
SELECT x.mention_id, t.name AS topic, t.kind, x.created_at
FROM matches x JOIN topics t ON t.id = x.topic_id""",
    "author_stats": """CREATE VIEW author_stats AS
SELECT m.source, m.author AS handle, max(a.name) AS name,
       coalesce(max(a.followers), max(m.author_followers)) AS followers,
       count(*) AS mentions,
       sum(coalesce(m.likes, 0) + coalesce(m.reposts, 0) + coalesce(m.replies, 0)) AS engagement,
       sum(CASE WHEN s.label = 'positive' THEN 1 ELSE 0 END) AS positive,
       sum(CASE WHEN s.label = 'negative' THEN 1 ELSE 0 END) AS negative,
       avg(s.compound) AS avg_compound,
       min(m.created_at) AS first_mention, max(m.created_at) AS last_mention
FROM mentions m
LEFT JOIN scores s ON s.mention_id = m.id
LEFT JOIN authors a ON a.source = m.source AND a.handle = m.author
WHERE m.author IS NOT NULL
GROUP BY m.source, m.author""",
    "daily_mentions": """CREATE VIEW daily_mentions AS
SELECT {day} AS day, m.source, t.name AS topic, t.kind, count(*) AS mentions
FROM matches x JOIN topics t ON t.id = x.topic_id JOIN mentions m ON m.id = x.mention_id
GROUP BY {day}, m.source, t.name, t.kind""",
    "connector_health": """CREATE VIEW connector_health AS
SELECT c.connector, c.started_at, c.finished_at, c.status, c.fetched, c.new, c.skipped,
       c.requests, c.error
FROM connector_runs c
WHERE c.id = (SELECT max(c2.id) FROM connector_runs c2 WHERE c2.connector = c.connector)""",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        reach, engagement, day = REACH, ENGAGEMENT, "date(m.created_at)"
    else:  # PostgreSQL wants expression index elements in parentheses
        reach, engagement, day = f"({REACH})", f"({ENGAGEMENT})", "CAST(m.created_at AS date)"
    op.execute(f"CREATE INDEX ix_mentions_reach ON mentions ({reach}, id)")
    op.execute(f"CREATE INDEX ix_mentions_engagement ON mentions ({engagement}, id)")
    for statement in VIEWS.values():
        op.execute(statement.format(day=day))


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW {name}")
    op.execute("DROP INDEX ix_mentions_engagement")
    op.execute("DROP INDEX ix_mentions_reach")
