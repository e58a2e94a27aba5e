"""Opening the database: engine, SQLite pragmas, migrations on first use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from storage import statistics

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration. Opening a database already at it costs one query and no
# Alembic import (which takes longer than most commands); tests keep it in step
# with storage/migrations/versions.
SCHEMA_REVISION = "0010_negative_sort_bands"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Page cache of a connection that writes mentions (SQLite's default is 2 MB): a batch
# stored into a large history touches index pages all over the file, and re-reads them
# from the OS without it. Only writers get it: it would count in a reader's memory.
SQLITE_WRITER_CACHE_KIB = 32 * 1024
# Planner settings for listener's PostgreSQL sessions, applied only where nobody chose a
# value (server, database, role or connection settings are kept):
# * random_page_cost: the default (4) prices an index probe as a seek on a spinning disk,
#   so the planner read a week of a large history by scanning whole tables (a cost that
#   grows with the history); PostgreSQL's documentation suggests 1.1 for SSDs.
# * jit: compiling a query costs 40-50 ms, which listener's queries (a week's figures,
#   0.1-0.5 s each) never win back; the documentation says JIT pays off for long-running
#   analytical queries only.
POSTGRES_SESSION = {"random_page_cost": "1.1", "jit": "off"}


class StorageError(Exception):
    """The database cannot be opened or migrated. The message says why."""


def redact_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def create(url: str, *, upgrade: bool = True) -> Engine:
    """An engine for ``url``, with the schema brought up to date unless told not to."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        if parsed.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
        event.listen(engine, "connect", _postgres_session)
    if upgrade:
        try:
            upgrade_schema(engine)
        except BaseException:
            engine.dispose()  # the caller never gets it: close its connections here
            raise
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer (status and queries during a collect).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _postgres_session(dbapi_connection, _record) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET outside any transaction: it lasts the session
    try:
        with dbapi_connection.cursor() as cursor:
            for name, value in POSTGRES_SESSION.items():
                cursor.execute("SELECT set_config(name, %s, false) FROM pg_settings"
                               " WHERE name = %s AND source = 'default'", (value, name))
    finally:
        dbapi_connection.autocommit = autocommit


def widen_cache(connection: Connection) -> None:
    """Give this connection (one that writes batches of mentions) a larger SQLite page cache."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_WRITER_CACHE_KIB}")  # negative: KiB


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    # No sqlalchemy.url: env.py gets the connection itself, and configparser would
    # choke on the % of URL-encoded passwords.
    return config


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no alembic_version table: a new, empty database
        return None


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def upgrade_schema(engine: Engine) -> bool:
    """Apply pending migrations, then check the schema. Returns True when something was applied.

    Raises StorageError, saying what to do, for a database written by a newer
    listener and for one whose tables lack columns its revision promises.
    """
    current = current_revision(engine)
    if current == SCHEMA_REVISION:
        check_schema(engine)
        return False
    from alembic import command

    config = _alembic_config()
    if current is not None and current not in _known_revisions(config):
        raise StorageError(
            f"the database at {redact_url(str(engine.url))} was written by a newer listener (schema "
            f"revision {current}; this one knows up to {SCHEMA_REVISION}): upgrade listener "
            "(pip install -U listener), or point [storage] url at another database"
        )
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            statistics.analyze(connection)  # the planner knows a new index from its first query
    except Exception as error:  # alembic and drivers raise many types; name the database
        raise StorageError(
            f"could not migrate the database at {redact_url(str(engine.url))}: {error}"
        ) from error
    check_schema(engine)
    return True


def _known_revisions(config: AlembicConfig) -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def check_schema(engine: Engine) -> None:
    """StorageError listing what is missing and the SQL that re-creates it, if anything is."""
    from storage import drift

    with engine.connect() as connection:
        lacking = drift.missing(connection)
        if not lacking:
            return
        fixes = drift.repairs(connection, lacking)
    what = "; ".join(f"table {table} lacks {', '.join(columns)}" for table, columns in lacking.items())
    raise StorageError(
        f"the database at {redact_url(str(engine.url))} does not match its schema revision "
        f"{current_revision(engine)} ({what}): it was changed outside listener, and `listener db "
        "upgrade` cannot repair that. Restore it from a backup, or run this SQL (the re-created "
        "columns start empty):\n  " + "\n  ".join(fixes)
    )
