"""Engine settings that the concurrency promises rely on."""

import asyncio
from pathlib import Path

from sqlalchemy import text

from avthrift.adapters.sqlalchemy.engine import create_engine


async def test_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", sqlite_busy_timeout_ms=4321)
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 4321
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    await engine.dispose()


async def test_sqlite_writers_queue_on_begin_immediate_instead_of_failing(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", sqlite_busy_timeout_ms=5000)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        await connection.execute(text("INSERT INTO counter VALUES (1, 0)"))

    async def increment() -> None:
        # read-then-write inside one transaction: with a deferred BEGIN two of these would
        # deadlock on the lock upgrade (SQLITE_BUSY); BEGIN IMMEDIATE makes them queue.
        async with engine.begin() as connection:
            value = (await connection.execute(text("SELECT value FROM counter"))).scalar_one()
            await asyncio.sleep(0.01)
            await connection.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})

    await asyncio.gather(*(increment() for _ in range(10)))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT value FROM counter"))).scalar() == 10
    await engine.dispose()


async def test_sqlite_readonly_connections_do_not_take_the_write_lock(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", sqlite_busy_timeout_ms=200)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    async with engine.begin() as writer:
        await writer.execute(text("INSERT INTO t VALUES (1)"))
        reader_engine = engine.execution_options(readonly=True)
        async with reader_engine.begin() as reader:
            assert (await reader.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    await engine.dispose()


async def test_postgres_sessions_carry_the_statement_timeout(postgres_database: str) -> None:
    engine = create_engine(postgres_database, statement_timeout_ms=1234, pool_size=2)
    async with engine.connect() as connection:
        assert (await connection.execute(text("SHOW statement_timeout"))).scalar() == "1234ms"
        name = (await connection.execute(text("SHOW application_name"))).scalar()
        assert name == "avthrift"
    await engine.dispose()


async def test_postgres_pool_is_bounded(postgres_database: str) -> None:
    engine = create_engine(postgres_database, pool_size=3, max_overflow=1, pool_timeout_seconds=7)
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    assert engine.pool._max_overflow == 1  # type: ignore[attr-defined]
    assert engine.pool._timeout == 7  # type: ignore[attr-defined]
    await engine.dispose()
