import asyncio
from typing import Annotated

from cyclopts import App, Parameter

from avthrift.domain.shared.ports import SchemaMigrator
from avthrift.entrypoints.cli.runtime import app_container

db_app = App(name="db", help="Database schema migrations (Alembic).")


async def schema_migrator() -> SchemaMigrator:
    async with app_container() as container:
        migrator: SchemaMigrator = await container.get(SchemaMigrator)
    return migrator


@db_app.command
async def upgrade(revision: str = "head") -> None:
    """Upgrade the schema to REVISION (default: the latest)."""
    await asyncio.to_thread((await schema_migrator()).upgrade, revision)
    print(f"Database upgraded to {revision}.")


@db_app.command
async def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (`base` removes every table)."""
    await asyncio.to_thread((await schema_migrator()).downgrade, revision)
    print(f"Database downgraded to {revision}.")


@db_app.command
async def revision(
    *, message: Annotated[str, Parameter(name=["--message", "-m"])], empty: bool = False
) -> None:
    """Write a new revision from the difference between the models and the database.

    Parameters
    ----------
    message
        What the revision changes.
    empty
        Write an empty revision instead of autogenerating one.
    """
    migrator = await schema_migrator()
    await asyncio.to_thread(migrator.revision, message, autogenerate=not empty)


@db_app.command
async def current() -> None:
    """Print the revision the database is at, and whether it is the latest."""
    migrator = await schema_migrator()
    at, heads = await asyncio.to_thread(migrator.current), migrator.heads()
    state = "up to date" if set(at) == set(heads) else f"behind (latest: {', '.join(heads)})"
    print(f"Database at {', '.join(at) or 'base'}: {state}.")
