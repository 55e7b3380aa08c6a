"""Shared fixtures: real PostgreSQL, SQLite and Redis (never skipped: the suite needs all three)."""

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis import Redis as SyncRedis

from avthrift.adapters.sqlalchemy.migrator import AlembicMigrator
from avthrift.config import Settings, load_settings
from avthrift.entrypoints.http.app import create_app

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BASE_URL = "http://testserver.local"

type SettingsFactory = Callable[..., Settings]


def _pg_url(database: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head; dropped afterwards."""
    name = f"avthrift_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    AlembicMigrator(url).upgrade()
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    """A fresh, unmigrated PostgreSQL database for one test."""
    name = f"avthrift_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    AlembicMigrator(f"sqlite+aiosqlite:///{path}").upgrade()
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated database on each engine (SQLite: a copy of a migrated template)."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
def redis_url() -> str:
    """The test Redis database, emptied before the test."""
    with SyncRedis.from_url(REDIS_URL) as client:
        client.flushdb()
    return REDIS_URL


def make_settings(**overrides: str) -> Settings:
    """Settings of the test profile, built only from `overrides` (no process environment, no .env)."""
    environ = {
        "AVTHRIFT_ENV": "test",
        "ALLOWED_HOSTS": "testserver.local,localhost,127.0.0.1",
        "DATABASE_URL": "sqlite+aiosqlite:///:memory:",
    }
    return load_settings(environ | overrides, env_file=None)


@pytest.fixture
def settings_factory(database_url: str) -> SettingsFactory:
    def factory(**overrides: str) -> Settings:
        return make_settings(**({"DATABASE_URL": database_url} | overrides))

    return factory


@pytest.fixture
def app(settings_factory: SettingsFactory) -> Litestar:
    return create_app(settings_factory())


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app, base_url=BASE_URL) as test_client:
        yield test_client
