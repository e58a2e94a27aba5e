"""an index on replies: (source, parent_id) of the mentions that reply to another

The digest's triage list leaves out conversations the brand already answered:
for each candidate it looks for a reply with ``source`` and ``parent_id``
equal to the candidate's ``source`` and ``external_id``. Without an index that
is a scan of every mention per candidate (minutes on a million); with it, a
lookup. Partial: only replies carry a parent, so the index stays small.

Revision ID: 0008_replies_index
Revises: 0007_fts_datasette
"""
from alembic import op

revision = "0008_replies_index"
down_revision = "0007_fts_datasette"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_mentions_replies ON mentions (source, parent_id) WHERE parent_id IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX ix_mentions_replies")
