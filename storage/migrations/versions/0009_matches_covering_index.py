"""matches: the per-topic time index carries the mention id (a covering index)

Every per-topic figure of a period (volumes, sentiment, terms, influencers, the
daily series) reads ``matches`` by ``(topic_id, created_at)`` for the mention ids
to join. With ``mention_id`` in the index that range is read from the index alone,
not the index then the table row by row. It replaces ``ix_matches_topic_created``,
whose prefix it is, so there are no more indexes to keep up on import.

Revision ID: 0009_matches_covering_index
Revises: 0008_replies_index
"""
from alembic import op

revision = "0009_matches_covering_index"
down_revision = "0008_replies_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_matches_topic_created_mention ON matches (topic_id, created_at, mention_id)")
    op.execute("DROP INDEX ix_matches_topic_created")


def downgrade() -> None:
    op.execute("CREATE INDEX ix_matches_topic_created ON matches (topic_id, created_at)")
    op.execute("DROP INDEX ix_matches_topic_created_mention")
