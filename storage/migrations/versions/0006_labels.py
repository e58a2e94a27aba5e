"""labels: a person's sentiment label per mention

Written by `listener label`; read by `listener eval --stored`, `listener train`
and the digest's correction of label shares (confusion matrix per language).

Revision ID: 0006_labels
Revises: 0005_negative_sort_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_labels"
down_revision = "0005_negative_sort_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("mention_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("labelled_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"],
                                name=op.f("fk_labels_mention_id_mentions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("mention_id", name=op.f("pk_labels")),
    )


def downgrade() -> None:
    op.drop_table("labels")
