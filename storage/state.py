"""Connector cursors and small facts, written inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from storage.schema import connector_state, meta
from storage.times import to_db
from storage.upsert import insert


def load_state(connection: Connection, connector: str, stream: str) -> dict[str, Any] | None:
    return connection.execute(
        select(connector_state.c.state).where(
            connector_state.c.connector == connector, connector_state.c.stream == stream
        )
    ).scalar_one_or_none()


def save_state(connection: Connection, connector: str, stream: str, state: dict[str, Any], now: datetime) -> None:
    statement = insert(connection, connector_state).values(
        connector=connector, stream=stream, state=state, updated_at=to_db(now)
    )
    statement = statement.on_conflict_do_update(
        index_elements=["connector", "stream"],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
    )
    connection.execute(statement)


def get_meta(connection: Connection, key: str, default: Any = None) -> Any:
    value = connection.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()
    return default if value is None else value


def set_meta(connection: Connection, key: str, value: Any) -> None:
    statement = insert(connection, meta).values(key=key, value=value)
    statement = statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value})
    connection.execute(statement)
