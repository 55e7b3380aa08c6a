"""Alembic migrations, run through advanced-alchemy's command wrapper.

Each call runs its own event loop (Alembic's `env.py` uses `asyncio.run`), so call these from
synchronous code or from a worker thread, never from inside a running loop.
"""

import asyncio
from collections.abc import Callable
from pathlib import Path

from advanced_alchemy.alembic.commands import AlembicCommands
from advanced_alchemy.extensions.litestar import AlembicAsyncConfig, SQLAlchemyAsyncConfig
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.rows import metadata
from avthrift.domain.shared.errors import ServiceUnavailableError
from avthrift.domain.shared.ports import SchemaMigrator

SCRIPT_LOCATION = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"


class AlembicMigrator(SchemaMigrator):
    """Schema migrations for the database at `url`; raises `ServiceUnavailableError` when it is down."""

    def __init__(self, url: str, script_location: Path = SCRIPT_LOCATION) -> None:
        self._url = url
        self._scripts = str(script_location)

    def _engine(self) -> AsyncEngine:
        url = make_url(self._url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # Refuse up front: aiosqlite reports a failed open from its thread after the loop closed.
            folder = Path(str(url.database)).parent
            if not folder.is_dir():
                raise ServiceUnavailableError(f"The database is unavailable: no folder {folder}.")
        return create_engine(self._url, use_pool=False)

    def _commands(self, engine: AsyncEngine) -> AlembicCommands:
        config = SQLAlchemyAsyncConfig(
            engine_instance=engine,
            alembic_config=AlembicAsyncConfig(
                script_location=self._scripts,
                version_table_name=VERSION_TABLE,
                script_config="",
            ),
        )
        commands = AlembicCommands(sqlalchemy_config=config)
        commands.config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
        return commands

    def upgrade(self, revision: str = "head") -> None:
        with translate_errors():
            self._commands(self._engine()).upgrade(revision)

    def downgrade(self, revision: str) -> None:
        with translate_errors():
            self._commands(self._engine()).downgrade(revision)

    def revision(self, message: str, *, autogenerate: bool = True) -> None:
        with translate_errors():
            self._commands(self._engine()).revision(
                message=message, autogenerate=autogenerate, rev_id=f"{len(self.revisions()) + 1:04d}"
            )

    def heads(self) -> tuple[str, ...]:
        """Revisions the scripts lead to."""
        return tuple(ScriptDirectory(self._scripts).get_heads())

    def revisions(self) -> list[str]:
        """Every revision, oldest first."""
        script = ScriptDirectory(self._scripts)
        return [rev.revision for rev in reversed(list(script.walk_revisions()))]

    def current(self) -> tuple[str, ...]:
        """Revisions the database is at (empty before the first upgrade)."""
        return asyncio.run(self._run(_current_heads))

    def drift(self) -> list[str]:
        """Differences between the table definitions and the migrated database (empty: no drift)."""
        return [str(diff) for diff in asyncio.run(self._run(_compare))]

    async def _run[T](self, fn: Callable[[Connection], T]) -> T:
        engine = self._engine()
        try:
            with translate_errors():
                async with engine.connect() as connection:
                    return await connection.run_sync(fn)
        finally:
            await engine.dispose()


def _current_heads(connection: Connection) -> tuple[str, ...]:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return tuple(context.get_current_heads())


def _compare(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
    )
    return list(compare_metadata(context, metadata))
