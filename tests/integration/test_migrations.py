"""Every revision upgrades and downgrades on both engines, and the models never drift from them."""

import asyncio
from pathlib import Path

import pytest

from avthrift.adapters.sqlalchemy.migrator import AlembicMigrator
from avthrift.domain.shared.errors import ServiceUnavailableError
from avthrift.domain.shared.ports import SchemaMigrator


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
    url: str = request.getfixturevalue("empty_postgres_database")
    return url


def migrator_for(url: str) -> SchemaMigrator:
    return AlembicMigrator(url)


def test_there_is_exactly_one_head() -> None:
    assert len(migrator_for("sqlite+aiosqlite:///:memory:").heads()) == 1


def test_each_revision_upgrades_and_downgrades_step_by_step(empty_database_url: str) -> None:
    migrator = migrator_for(empty_database_url)
    revisions = migrator.revisions()
    assert revisions, "the migration history is empty"
    assert migrator.current() == ()
    for revision in revisions:
        migrator.upgrade(revision)
        assert migrator.current() == (revision,)
    for previous in [*reversed(revisions[:-1]), None]:
        migrator.downgrade(previous or "base")
        assert migrator.current() == ((previous,) if previous else ())
    migrator.upgrade()
    assert migrator.current() == migrator.heads()


def test_models_and_migrations_never_drift(empty_database_url: str) -> None:
    migrator = migrator_for(empty_database_url)
    migrator.upgrade()
    assert migrator.drift() == []


async def test_migrations_run_off_the_event_loop(empty_database_url: str) -> None:
    migrator = migrator_for(empty_database_url)
    await asyncio.to_thread(migrator.upgrade)
    assert await asyncio.to_thread(migrator.current) == migrator.heads()


def test_unreachable_database_is_service_unavailable() -> None:
    migrator = migrator_for("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(ServiceUnavailableError):
        migrator.upgrade()
