"""Every revision upgrades and downgrades on both engines, and the models never drift from them."""

import asyncio
import shutil
from pathlib import Path

import pytest

from avthrift.adapters.sqlalchemy.migrator import SCRIPT_LOCATION, AlembicMigrator
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


def test_revision_writes_the_next_numbered_script_into_a_copy(tmp_path: Path) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(SCRIPT_LOCATION, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    migrator = AlembicMigrator(f"sqlite+aiosqlite:///{tmp_path / 'rev.sqlite3'}", script_location=scripts)
    before = migrator.revisions()
    migrator.upgrade()
    migrator.revision("probe change", autogenerate=True)
    number = f"{len(before) + 1:04d}"
    created = scripts / "versions" / f"{number}_probe_change.py"
    assert created.is_file()
    assert f"revision = {number!r}" in created.read_text() or f'revision = "{number}"' in created.read_text()
    assert migrator.revisions() == [*before, number]
    assert "pass" in created.read_text()  # the models match the migrations: nothing to autogenerate
