from cyclopts import App
from dishka import Scope

from avthrift.domain.cart.use_cases.stale import AbandonStaleCarts
from avthrift.entrypoints.cli.runtime import app_container

carts_app = App(name="carts", help="Shopping carts.")


def describe(count: int) -> str:
    """The command's one-line summary, worded as the reference's (`Abandoned 1 stale carts.` too)."""
    return f"Abandoned {count} stale carts."


@carts_app.command(name="abandon-stale")
async def abandon_stale() -> None:
    """Abandon stale carts (the replacement of `abandon_stale_carts`).

    Active carts, of users and guests, whose last line change is older than
    `CART_ABANDON_TTL_MINUTES` give their held stock back, lose their items and are marked
    abandoned, each in its own transaction. A cart still being filled is kept, however old it is.
    """
    async with app_container() as container, container(scope=Scope.REQUEST) as request:
        abandon = await request.get(AbandonStaleCarts)
        count = await abandon()
    print(describe(count))
