from cyclopts import App
from dishka import Scope

from avthrift.domain.inventory.use_cases import ExpireReservations
from avthrift.entrypoints.cli.runtime import app_container

reservations_app = App(name="reservations", help="Holds that carts take on stock.")


@reservations_app.command
async def expire() -> None:
    """Release lapsed holds (the replacement of `expire_reservations`).

    Every active hold whose expiry has passed gives its units back, in batches of short
    transactions. A lapsed hold never blocks a buyer even before this runs; it only tidies up.
    """
    async with app_container() as container, container(scope=Scope.REQUEST) as request:
        expire_reservations = await request.get(ExpireReservations)
        released = await expire_reservations()
    print(f"Expired reservations released: {released}")
