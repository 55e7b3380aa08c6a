"""`avthrift orders expire-unpaid` (contract §9, §10): cancel the orders still pending
`ORDER_PAYMENT_TTL_MINUTES` after they were placed and put their stock back."""

from datetime import datetime

from avthrift.domain.inventory.ports import StockLedger
from avthrift.domain.orders.model import OrderPolicy, OrderStatus
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.orders.use_cases._moves import cancel
from avthrift.domain.shared.ports import Clock, UnitOfWork

BATCH = 200
EXPIRE_REASON = "Order cancelled: not paid in time"


class ExpireUnpaidOrders:
    """Each order is cancelled in its own transaction, re-checked under its row lock: one paid
    meanwhile is left alone (the payment wins cleanly). Returns how many were cancelled."""

    def __init__(
        self, uow: UnitOfWork, orders: OrderRepository, ledger: StockLedger, clock: Clock, policy: OrderPolicy
    ) -> None:
        self._uow, self._orders, self._ledger, self._clock, self._policy = uow, orders, ledger, clock, policy

    async def __call__(self, now: datetime | None = None) -> int:
        now = now or self._clock.now()
        cutoff = now - self._policy.payment_ttl
        cancelled = 0
        seen: set[int] = set()
        while True:
            async with self._uow:
                ids = await self._orders.pending_before(cutoff, limit=BATCH)
            fresh = [order_id for order_id in ids if order_id not in seen]
            if not fresh:
                return cancelled
            seen.update(fresh)
            for order_id in fresh:
                async with self._uow:
                    order = await self._orders.get(order_id, lock=True)
                    if order is None or order.status is not OrderStatus.PENDING or order.created_at >= cutoff:
                        continue
                    await cancel(self._orders, self._ledger, order, now, by="expiry", reason=EXPIRE_REASON)
                    await self._uow.commit()
                cancelled += 1
