"""full-text index declared the way Datasette and sqlite-utils detect it; topics as JSON

SQLite: ``mentions_fts`` was declared ``content='mentions'``; Datasette (and
sqlite-utils) find a table's FTS index by looking for ``content="mentions"`` or
``content=[mentions]`` in its declaration, so search did not show up there. The
virtual table is recreated with the double-quoted form (same columns and
tokenizer; the triggers on ``mentions`` keep feeding it) and rebuilt from ``mentions``.

Both backends: ``mentions_with_scores.topics`` becomes a JSON array of topic
names (sorted), so Datasette can facet on each topic (``_facet_array=topics``)
and a client can split it without guessing at commas inside names.

Revision ID: 0007_fts_datasette
Revises: 0006_labels
"""
from alembic import op

revision = "0007_fts_datasette"
down_revision = "0006_labels"
branch_labels = None
depends_on = None

# The triggers on mentions that keep the index in step refer to it by name and
# stay as they are: they write to the new table once it exists.
FTS = """CREATE VIRTUAL TABLE mentions_fts USING fts5(
        text, title, content={content}, content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')"""
VIEW = """CREATE VIEW mentions_with_scores AS
SELECT m.id, m.source, m.external_id, m.created_at, m.author, m.author_followers,
       m.url, m.title, m.text, coalesce(s.lang, m.lang) AS lang,
       s.label AS sentiment, s.compound,
       m.likes, m.reposts, m.replies, m.views, m.is_repost, m.is_reply,
       {topics} AS topics
FROM mentions m LEFT JOIN scores s ON s.mention_id = m.id"""
TOPICS = {
    "sqlite": """(SELECT json_group_array(name) FROM (SELECT t.name FROM matches x
         JOIN topics t ON t.id = x.topic_id WHERE x.mention_id = m.id ORDER BY t.name))""",
    "postgresql": """(SELECT coalesce(json_agg(t.name ORDER BY t.name), '[]'::json)
         FROM matches x JOIN topics t ON t.id = x.topic_id WHERE x.mention_id = m.id)""",
}
OLD_TOPICS = {
    "sqlite": """(SELECT group_concat(t.name, ', ') FROM matches x JOIN topics t ON t.id = x.topic_id
         WHERE x.mention_id = m.id)""",
    "postgresql": """(SELECT string_agg(t.name, ', ' ORDER BY t.name) FROM matches x
         JOIN topics t ON t.id = x.topic_id WHERE x.mention_id = m.id)""",
}


def _recreate_fts(content: str) -> None:
    op.execute("DROP TABLE mentions_fts")
    op.execute(FTS.format(content=content))
    op.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')")


def _recreate_view(topics: dict[str, str]) -> None:
    op.execute("DROP VIEW mentions_with_scores")
    op.execute(VIEW.format(topics=topics[op.get_bind().dialect.name]))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate_fts('"mentions"')
    _recreate_view(TOPICS)


def downgrade() -> None:
    _recreate_view(OLD_TOPICS)
    if op.get_bind().dialect.name == "sqlite":
        _recreate_fts("'mentions'")
