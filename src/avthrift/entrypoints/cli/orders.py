from cyclopts import App
from dishka import Scope

from avthrift.domain.orders.use_cases.expire import ExpireUnpaidOrders
from avthrift.entrypoints.cli.runtime import app_container

orders_app = App(name="orders", help="Orders.")


def describe(count: int) -> str:
    """The command's one-line summary."""
    return f"Cancelled {count} unpaid orders."


@orders_app.command(name="expire-unpaid")
async def expire_unpaid() -> None:
    """Cancel the orders still unpaid `ORDER_PAYMENT_TTL_MINUTES` after they were placed.

    Each pending order older than that is cancelled and its stock put back on hand (recorded as
    movements referencing the order), in its own transaction. An order paid meanwhile is left as it is.
    """
    async with app_container() as container, container(scope=Scope.REQUEST) as request:
        expire = await request.get(ExpireUnpaidOrders)
        count = await expire()
    print(describe(count))
