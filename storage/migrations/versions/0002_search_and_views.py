"""full-text search on mention text, and a readable view for outside tools

SQLite: an FTS5 external-content table kept in step by triggers.
PostgreSQL: a generated tsvector column with a GIN index.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE mentions_fts USING fts5(
        text, title, content='mentions', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
        INSERT INTO mentions_fts(rowid, text, title) VALUES (new.id, new.text, new.title);
    END""",
    """CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, text, title)
        VALUES ('delete', old.id, old.text, old.title);
    END""",
    """CREATE TRIGGER mentions_fts_update AFTER UPDATE OF text, title ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, text, title)
        VALUES ('delete', old.id, old.text, old.title);
        INSERT INTO mentions_fts(rowid, text, title) VALUES (new.id, new.text, new.title);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER mentions_fts_update",
    "DROP TRIGGER mentions_fts_delete",
    "DROP TRIGGER mentions_fts_insert",
    "DROP TABLE mentions_fts",
]
POSTGRES_UP = [
    """ALTER TABLE mentions ADD COLUMN search tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED""",
    "CREATE INDEX ix_mentions_search ON mentions USING GIN (search)",
]
POSTGRES_DOWN = ["DROP INDEX ix_mentions_search", "ALTER TABLE mentions DROP COLUMN search"]

# One row per mention with its score and topic names: what a person opening the
# database in Datasette or a SQL client wants to see first.
VIEW = """CREATE VIEW mentions_with_scores AS
SELECT m.id, m.source, m.external_id, m.created_at, m.author, m.author_followers,
       m.url, m.title, m.text, coalesce(s.lang, m.lang) AS lang,
       s.label AS sentiment, s.compound,
       m.likes, m.reposts, m.replies, m.views, m.is_repost, m.is_reply,
       (SELECT {agg} FROM matches x JOIN topics t ON t.id = x.topic_id
         WHERE x.mention_id = m.id) AS topics
FROM mentions m LEFT JOIN scores s ON s.mention_id = m.id"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = [*SQLITE_UP, VIEW.format(agg="group_concat(t.name, ', ')")]
    else:
        statements = [*POSTGRES_UP, VIEW.format(agg="string_agg(t.name, ', ' ORDER BY t.name)")]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP VIEW mentions_with_scores")
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
