"""The `avthrift` command line (also `python -m avthrift`)."""

from importlib.metadata import version

from cyclopts import App, CycloptsError

from avthrift.entrypoints.cli.carts import carts_app
from avthrift.entrypoints.cli.catalog import catalog_app
from avthrift.entrypoints.cli.db import db_app
from avthrift.entrypoints.cli.idempotency import idempotency_app
from avthrift.entrypoints.cli.inventory import inventory_app
from avthrift.entrypoints.cli.orders import orders_app
from avthrift.entrypoints.cli.reservations import reservations_app
from avthrift.entrypoints.cli.runtime import CommandError, one_line_errors
from avthrift.entrypoints.cli.serve import serve
from avthrift.entrypoints.cli.users import users_app

app = App(
    name="avthrift",
    help="AVThrift backend: HTTP server, migrations and operations.",
    version=version("avthrift"),
)
app.command(serve)
app.command(db_app)
app.command(users_app)
app.command(catalog_app)
app.command(carts_app)
app.command(inventory_app)
app.command(reservations_app)
app.command(idempotency_app)
app.command(orders_app)


def main(tokens: list[str] | None = None) -> None:
    with one_line_errors():
        try:
            app(tokens, exit_on_error=False, print_error=False)
        except CycloptsError as error:
            raise CommandError(" ".join(str(error).split()), 2) from None
