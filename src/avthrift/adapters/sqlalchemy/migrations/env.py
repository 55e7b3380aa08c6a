"""Alembic environment: runs against the engine handed over by `AlembicMigrator`."""

import asyncio
from typing import cast

from advanced_alchemy.alembic.commands import AlembicCommandConfig
from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from avthrift.adapters.sqlalchemy.rows import metadata

config = cast(AlembicCommandConfig, context.config)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        version_table=config.version_table_name,
        render_as_batch=True,  # SQLite alters tables by copying them
        user_module_prefix=None,  # render custom types by their import path (with the import)
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = config.engine
    if not isinstance(engine, AsyncEngine):
        raise TypeError("AlembicMigrator hands over an AsyncEngine")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
asyncio.run(_run_online())
