"""Shared fixtures: real PostgreSQL, SQLite and Redis (never skipped: the suite needs all three)."""

import asyncio
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis import Redis as SyncRedis

from avthrift.adapters.sqlalchemy.migrator import AlembicMigrator
from avthrift.config import Settings, load_settings
from avthrift.entrypoints.http.app import create_app

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# pytest-xdist runs the suite in several processes: each gets its own Redis database (the configured
# one, then the ones below it), as it gets its own PostgreSQL database and SQLite files.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_REDIS_BASE, _REDIS_DB = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)
REDIS_URL = f"{_REDIS_BASE}/{int(_REDIS_DB) - _WORKER}"
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


async def _truncate_all(url: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        if tables:
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


def migrated_database(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a copy of a migrated SQLite template, or the session's PostgreSQL
    database, emptied after the test."""
    if engine == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_database")
    yield url
    asyncio.run(_truncate_all(url))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each engine."""
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
def redis_url() -> str:
    """The test Redis database, emptied before the test."""
    with SyncRedis.from_url(REDIS_URL) as client:
        client.flushdb()
    return REDIS_URL


OWASP_HASHING = {"PASSWORD_HASH_MEMORY_KIB": "19456", "PASSWORD_HASH_TIME_COST": "2"}


def make_settings(**overrides: str) -> Settings:
    """Settings of the test profile, built only from `overrides` (no process environment, no .env)."""
    environ = {
        "AVTHRIFT_ENV": "test",
        "ALLOWED_HOSTS": "testserver.local,localhost,127.0.0.1",
        "DATABASE_URL": "sqlite+aiosqlite:///:memory:",
        # Cheap hashes for suites that create hundreds of accounts; the hasher's own tests and the
        # sign-in timing test use OWASP's cost (OWASP_HASHING).
        "PASSWORD_HASH_MEMORY_KIB": "1024",
        "PASSWORD_HASH_TIME_COST": "1",
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


# --- Identity helpers (tests/api/test_auth*.py, test_account.py, test_email_flows.py, ...) ---

STRONG_PASSWORD = "Thrift-shop-2026!"  # passes the password policy
IDENTITY_SCOPES = (
    "signin",
    "signin_account",
    "token_refresh",
    "token_verify",
    "signout",
    "register",
    "password_reset",
    "password_reset_account",
    "email_verify",
    "email_reset",
    "account",
    "profile",
)


def relaxed_rates(**overrides: str) -> str:
    """A `THROTTLE_RATES` value that lifts every identity scope out of the way, except `overrides`."""
    rates = dict.fromkeys(IDENTITY_SCOPES, "10000/min") | overrides
    return ",".join(f"{scope}={rate}" for scope, rate in rates.items())


@dataclass(frozen=True, slots=True)
class NewAccount:
    """Sign-up fields unique across the session (the PostgreSQL database is shared by all tests)."""

    username: str
    email: str
    password: str = STRONG_PASSWORD

    @classmethod
    def unique(cls) -> "NewAccount":
        tag = uuid.uuid4().hex[:10]
        return cls(username=f"shopper_{tag}", email=f"shopper.{tag}@example.com")


def unique_phone() -> str:
    """An E.164 number (+234 and ten digits) no other test uses."""
    return f"+2348{uuid.uuid4().int % 10**9:09d}"


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


async def register(client: AsyncTestClient[Litestar], account: NewAccount | None = None) -> dict[str, Any]:
    """Sign up through the API (`201`); returns the response body."""
    account = account or NewAccount.unique()
    response = await client.post(
        "/api/v1/account/register/",
        json={"username": account.username, "email": account.email, "password": account.password},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def sign_in(
    client: AsyncTestClient[Litestar], identifier: str, password: str = STRONG_PASSWORD
) -> dict[str, str]:
    """`{"access", "refresh"}` of a successful sign-in."""
    body = {"identifier": identifier, "password": password}
    response = await client.post("/api/v1/auth/signin/", json=body)
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


async def execute_sql(database_url: str, sql: str, *args: Any) -> None:
    """Run one statement on the test database outside the app (`$1`-style parameters)."""
    if database_url.startswith("sqlite"):
        with closing(sqlite3.connect(database_url.split("///", 1)[1])) as connection, connection:
            connection.execute(re.sub(r"\$\d+", "?", sql), args)
        return
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


async def staff_headers(client: AsyncTestClient[Litestar], database_url: str) -> dict[str, str]:
    """Bearer headers of a new staff account (signed up, then promoted as the CLI would)."""
    account = NewAccount.unique()
    await register(client, account)
    await execute_sql(database_url, "UPDATE users SET is_staff = TRUE WHERE email = $1", account.email)
    return bearer((await sign_in(client, account.email))["access"])
