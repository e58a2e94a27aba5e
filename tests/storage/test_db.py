import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from storage import db
from tests.conftest import POSTGRES_URL


def test_schema_is_created_on_first_use_and_upgrade_is_then_a_no_op(database_url):
    engine = db.create(database_url)
    assert db.current_revision(engine) == db.head_revision()
    assert db.upgrade_schema(engine) is False
    names = set(inspect(engine).get_table_names())
    assert {"mentions", "authors", "topics", "matches", "scores", "connector_state", "runs",
            "connector_runs", "digests_sent"} <= names
    assert "mentions_with_scores" in inspect(engine).get_view_names()
    engine.dispose()


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path):
    engine = db.create(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_redacted_url_hides_the_password():
    assert "s3cret" not in db.redact_url("postgresql+psycopg://user:s3cret@host/db")


def test_the_fast_path_revision_is_the_newest_migration():
    assert db.head_revision() == db.SCHEMA_REVISION


def test_upgrade_recomputes_story_keys_written_by_older_rules(database_url):
    from alembic import command

    engine = db.create(database_url, upgrade=False)
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(text(
            "INSERT INTO mentions (source, external_id, created_at, collected_at, text, url, title, "
            "text_hash, story_key) VALUES "
            "('rss', '1', '2026-11-01', '2026-11-01', 'x', 'https://xn--bcher-kva.de/a%7Eb?ref=hn', "
            "'Neu', 'h1', 'https://xn--bcher-kva.de/a%7Eb?ref=hn'), "
            "('mastodon', '2', '2026-11-01', '2026-11-01', 'plain post', NULL, NULL, 'h2', NULL)"))
    db.upgrade_schema(engine)
    with engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT external_id, story_key FROM mentions")).all())
    assert keys == {"1": "https://xn--bcher-kva.de/a~b", "2": None}
    engine.dispose()


def test_search_index_stays_in_step_after_its_redeclaration_and_back(sqlite_engine):
    from alembic import command

    def found(word):
        with sqlite_engine.connect() as connection:
            return connection.execute(text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :w"),
                                      {"w": word}).scalars().all()

    with sqlite_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO mentions (id, source, external_id, created_at, collected_at, text, text_hash) "
            "VALUES (7, 'x', '7', '2026-11-01', '2026-11-01', 'espresso machine', 'h')"))
    config = db._alembic_config()
    for target in ("0006_labels", "head"):  # down to the old declaration, and up again
        with sqlite_engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target != "head" else command.upgrade)(config, target)
        assert found("espresso") == [7]  # rebuilt from mentions
    with sqlite_engine.begin() as connection:
        connection.execute(text("UPDATE mentions SET text = 'latte art' WHERE id = 7"))
    assert (found("espresso"), found("latte")) == ([], [7])  # the triggers feed the new table
    with sqlite_engine.begin() as connection:
        connection.execute(text("DELETE FROM mentions WHERE id = 7"))
    assert found("latte") == []


@pytest.mark.skipif(not POSTGRES_URL, reason="LISTENER_TEST_POSTGRES_URL is not set (no PostgreSQL to test against)")
def test_postgresql_sessions_get_listeners_planner_settings_unless_someone_chose_a_value():
    def shown(url: str) -> dict[str, str]:
        engine = db.create(url, upgrade=False)
        try:
            with engine.connect() as connection:
                connection.rollback()  # a transaction ended: the session's settings outlive it
                return {name: connection.execute(text(f"SHOW {name}")).scalar_one() for name in db.POSTGRES_SESSION}
        finally:
            engine.dispose()

    server = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with server.connect() as connection:
        chosen = set(connection.execute(text(
            "SELECT name FROM pg_settings WHERE name IN ('random_page_cost', 'jit') AND source <> 'default'"
        )).scalars())
    server.dispose()
    if chosen:
        pytest.skip(f"this server sets {', '.join(sorted(chosen))} itself")
    assert shown(POSTGRES_URL) == {"random_page_cost": "1.1", "jit": "off"}
    separator = "&" if "?" in POSTGRES_URL else "?"
    own = f"{POSTGRES_URL}{separator}options=-crandom_page_cost%3D2%20-cjit%3Don"
    assert shown(own) == {"random_page_cost": "2", "jit": "on"}  # the connection's own
