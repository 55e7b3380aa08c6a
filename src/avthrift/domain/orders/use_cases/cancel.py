"""Cancelling an order (reference §3.4; contract §9): pending → cancelled with its stock put back,
under the order's row lock, so a payment confirmed at the same moment either comes first (and the
cancel is refused) or finds it cancelled: never both. Cancelled again: a no-op. Paid:
`OrderUpdateError` ("Unable to update order.")."""

from avthrift.domain.inventory.ports import StockLedger
from avthrift.domain.orders.errors import OrderUpdateError
from avthrift.domain.orders.model import Order, OrderStatus
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.orders.use_cases._moves import cancel
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.ports import Clock, UnitOfWork

CANCEL_REASON = "Order cancelled"


class CancelOrder:
    """`user_id`: the owner cancelling their order (another user's is `NotFoundError`); `None`:
    staff, any order."""

    def __init__(self, uow: UnitOfWork, orders: OrderRepository, ledger: StockLedger, clock: Clock) -> None:
        self._uow, self._orders, self._ledger, self._clock = uow, orders, ledger, clock

    async def __call__(self, user_id: int | None, order_id: int) -> Order:
        async with self._uow:
            order = await self._orders.get(order_id, user_id=user_id, lock=True)
            if order is None:
                raise NotFoundError
            if order.status is OrderStatus.CANCELLED:
                return order
            if order.status is OrderStatus.PAID:
                raise OrderUpdateError
            by = "staff" if user_id is None else "owner"
            cancelled = await cancel(
                self._orders, self._ledger, order, self._clock.now(), by=by, reason=CANCEL_REASON
            )
            await self._uow.commit()
        return cancelled
