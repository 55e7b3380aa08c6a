"""The SQLAlchemy unit of work on both engines, and the fake's matching semantics."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from avthrift.domain.shared.errors import ConflictError
from tests.fakes import FakeUnitOfWork


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP TABLE IF EXISTS uow_child"))
        await connection.execute(text("DROP TABLE IF EXISTS uow_probe"))
        await connection.execute(text("CREATE TABLE uow_probe (id INTEGER PRIMARY KEY)"))
        await connection.execute(
            text(
                "CREATE TABLE uow_child (id INTEGER PRIMARY KEY, probe_id INTEGER NOT NULL "
                "REFERENCES uow_probe (id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    yield engine
    async with engine.begin() as connection:
        await connection.execute(text("DROP TABLE uow_child"))
        await connection.execute(text("DROP TABLE uow_probe"))
    await engine.dispose()


async def ids(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return list((await connection.execute(text("SELECT id FROM uow_probe ORDER BY id"))).scalars())


async def insert(session: AsyncSession, value: int) -> None:
    await session.execute(text("INSERT INTO uow_probe (id) VALUES (:id)"), {"id": value})


async def test_commit_makes_the_work_durable(engine: AsyncEngine) -> None:
    async with async_sessionmaker(engine)() as session, SqlAlchemyUnitOfWork(session) as uow:
        await insert(session, 1)
        await uow.commit()
    assert await ids(engine) == [1]


async def test_leaving_without_commit_rolls_back(engine: AsyncEngine) -> None:
    async with async_sessionmaker(engine)() as session, SqlAlchemyUnitOfWork(session):
        await insert(session, 2)
    assert await ids(engine) == []


async def test_an_exception_rolls_back(engine: AsyncEngine) -> None:
    async def fail_midway(session: AsyncSession) -> None:
        async with SqlAlchemyUnitOfWork(session):
            await insert(session, 3)
            raise RuntimeError("boom")

    async with async_sessionmaker(engine)() as session:
        with pytest.raises(RuntimeError):
            await fail_midway(session)
    assert await ids(engine) == []


async def test_constraint_violation_on_commit_is_a_conflict(engine: AsyncEngine) -> None:
    async def orphan_child(session: AsyncSession) -> None:
        async with SqlAlchemyUnitOfWork(session) as uow:
            await insert(session, 4)
            # A deferred foreign key is checked only at commit, on both engines.
            await session.execute(text("INSERT INTO uow_child (id, probe_id) VALUES (1, 999)"))
            await uow.commit()

    async with async_sessionmaker(engine)() as session:
        with pytest.raises(ConflictError):
            await orphan_child(session)
    assert await ids(engine) == []


async def test_fake_unit_of_work_counts_commits_and_rollbacks() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        await uow.commit()
    async with uow:
        pass
    assert (uow.commits, uow.rollbacks) == (1, 1)
