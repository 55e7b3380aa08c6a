"""Async engines for the two supported databases.

SQLite (embedded default): WAL so readers never wait for the writer, a busy timeout instead of
instant `database is locked` errors, and `BEGIN IMMEDIATE` for every transaction that may write, so
two writers queue on the lock up front instead of failing on upgrade (the SQLAlchemy pysqlite recipe).
Connections opened with the execution option `readonly=True` start a deferred `BEGIN` instead.

PostgreSQL: asyncpg with a bounded pool and a server-side `statement_timeout`.
"""

from typing import Any

import msgspec
from sqlalchemy import event, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout_seconds: float = 10.0,
    connect_timeout_seconds: float = 5.0,
    statement_timeout_ms: int = 5000,
    sqlite_busy_timeout_ms: int = 5000,
    use_pool: bool = True,
) -> AsyncEngine:
    """Create an engine for `url` (`postgresql+asyncpg://…` or `sqlite+aiosqlite://…`)."""
    common: dict[str, Any] = {
        "json_serializer": lambda value: msgspec.json.encode(value).decode(),
        "json_deserializer": msgspec.json.decode,
    }
    if not use_pool:
        common["poolclass"] = pool.NullPool
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": sqlite_busy_timeout_ms / 1000}, **common)
        _configure_sqlite(engine, sqlite_busy_timeout_ms)
        return engine
    if use_pool:
        common |= {
            "pool_size": pool_size,
            "max_overflow": max_overflow,
            "pool_timeout": pool_timeout_seconds,
            "pool_recycle": 1800,
        }
    return create_async_engine(
        url,
        connect_args={
            "timeout": connect_timeout_seconds,
            "server_settings": {
                "application_name": "avthrift",
                "statement_timeout": str(statement_timeout_ms),
                "idle_in_transaction_session_timeout": str(max(statement_timeout_ms * 6, 60_000)),
            },
        },
        **common,
    )


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the driver so that "begin" below decides the mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
