"""Analysis over stored mentions: periods, trends, spikes, terms, influencers, conversations.

Every computation is a SQL group-by over indexed columns (``matches(topic_id,
created_at)``, ``mentions(created_at)``) restricted to the period asked for;
pandas only sees the aggregated rows (push work to the database: docs/architecture.md).
"""
