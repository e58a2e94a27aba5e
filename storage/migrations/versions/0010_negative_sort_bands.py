"""the negative-sort index keyed by a band of the compound and the mention id: new scores append

``ix_scores_negative`` (0005) was keyed by ``(compound, mention_id)``, so each
new score landed at a random place in an index as big as the history: scoring
a day's 10,000 mentions on a million dirtied most of its leaf pages, and the
commit wrote them all again (the daily run's cost grew with the history). Keyed
by a band of the compound and the mention id, which only grows, a day's scores
land at the ends of the bands' runs: a few hundred pages whatever the history.

The band never decreases as the compound grows, so ``ORDER BY band, compound,
mention_id DESC`` is the order it was, read band by band, each band sorted in
memory. Bands are 0.01 wide, and 0.0001 below -0.9, where the first pages of
``listener mentions --sort negative`` are read, so a first page sorts a handful
of rows. ``storage/queries.py`` (``NEGATIVE_BAND``) writes the very same
expression, or the index would not be used (a test reads the query plan).

Revision ID: 0010_negative_sort_bands
Revises: 0009_matches_covering_index
"""
from alembic import op

revision = "0010_negative_sort_bands"
down_revision = "0009_matches_covering_index"
branch_labels = None
depends_on = None

BAND = ("CASE WHEN compound < -0.9 THEN CAST(compound * 10000 AS INTEGER) "
        "ELSE CAST(compound * 100 AS INTEGER) END")


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_scores_negative_band ON scores (({BAND}), mention_id) WHERE compound IS NOT NULL")
    op.execute("DROP INDEX ix_scores_negative")


def downgrade() -> None:
    op.execute("CREATE INDEX ix_scores_negative ON scores (compound, mention_id DESC) WHERE compound IS NOT NULL")
    op.execute("DROP INDEX ix_scores_negative_band")
