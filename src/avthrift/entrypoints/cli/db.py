from typing import Annotated

from cyclopts import App, Parameter

from avthrift.bootstrap import make_migrator
from avthrift.config import load_settings

db_app = App(name="db", help="Database schema migrations (Alembic).")


@db_app.command
def upgrade(revision: str = "head") -> None:
    """Upgrade the schema to REVISION (default: the latest)."""
    make_migrator(load_settings()).upgrade(revision)
    print(f"Database upgraded to {revision}.")


@db_app.command
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (`base` removes every table)."""
    make_migrator(load_settings()).downgrade(revision)
    print(f"Database downgraded to {revision}.")


@db_app.command
def revision(*, message: Annotated[str, Parameter(name=["--message", "-m"])], empty: bool = False) -> None:
    """Write a new revision from the difference between the models and the database.

    Parameters
    ----------
    message
        What the revision changes.
    empty
        Write an empty revision instead of autogenerating one.
    """
    make_migrator(load_settings()).revision(message, autogenerate=not empty)


@db_app.command
def current() -> None:
    """Print the revision the database is at, and whether it is the latest."""
    migrator = make_migrator(load_settings())
    at, heads = migrator.current(), migrator.heads()
    state = "up to date" if set(at) == set(heads) else f"behind (latest: {', '.join(heads)})"
    print(f"Database at {', '.join(at) or 'base'}: {state}.")
