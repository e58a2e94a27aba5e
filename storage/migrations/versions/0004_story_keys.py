"""recompute stored story keys with the library-based URL canonicalisation

listener.stories now canonicalises URLs through w3lib plus listener's own rules
(IDNA hosts, one percent-encoding per character, ``ref``/``si`` and other
tracking parameters, AMP and mobile hosts, ``Foo_(bar)`` paths kept whole).
Keys already stored were made by the old hand-written rules; a new copy of a
story would get the new key and split the story in two. This data migration
recomputes every stored key from the mention's own fields (source, url, title,
text; and for reposts, the post they repeat), so old and new copies meet again. It uses the rules of the code that
runs it: that is the point (keys must match what this code writes next).

Downgrade leaves the keys as they are: the new keys are still valid keys, and
the old rules no longer exist to recompute with.

Revision ID: 0004_story_keys
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_story_keys"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    from listener.stories import story_key  # the rules this code writes keys with

    connection = op.get_bind()
    read = sa.text(
        "SELECT id, source, url, title, text, is_repost, parent_id, story_key FROM mentions "
        "WHERE (story_key IS NOT NULL OR is_repost) AND id > :after ORDER BY id LIMIT :batch")
    write = sa.text("UPDATE mentions SET story_key = :key WHERE id = :id")
    after = 0
    while rows := connection.execute(read, {"after": after, "batch": BATCH}).mappings().all():
        changed = [{"id": row["id"], "key": key} for row in rows
                   if (key := story_key(row)) != row["story_key"]]
        if changed:
            connection.execute(write, changed)
        after = rows[-1]["id"]


def downgrade() -> None:
    pass
