"""an index for `listener mentions --sort negative`

The most negative mentions first: a partial index on scores (compound
ascending, mention id descending) over the rows with a compound, so the first
page is an index walk of 50 entries instead of a sort of every mention. Rows
without a compound (unscored, or not scored yet) come after them in id order
(storage/queries.py reads the two parts one after the other).

Revision ID: 0005_negative_sort_index
Revises: 0004_story_keys
"""
from alembic import op

revision = "0005_negative_sort_index"
down_revision = "0004_story_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_scores_negative ON scores (compound, mention_id DESC) "
               "WHERE compound IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX ix_scores_negative")
