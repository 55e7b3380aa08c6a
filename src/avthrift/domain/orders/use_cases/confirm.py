"""Confirming a payment (contract §9): staff (`MarkOrderPaid`) or the gateway's signed webhook
(`ConfirmPayment`). Under the order's row lock: pending → paid, paid → no-op, cancelled →
`OrderUpdateError`. The "order confirmed" email goes out after the commit, and only from the call
that moved the order: one email however often a webhook is delivered."""

from avthrift.domain.orders.emails import order_confirmed
from avthrift.domain.orders.errors import OrderUpdateError
from avthrift.domain.orders.model import Order, OrderPolicy, OrderStatus
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.orders.use_cases._moves import mark_paid
from avthrift.domain.shared.email import EmailSender, send_after_commit
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.ports import Clock, UnitOfWork


class _Confirm:
    _by = "system"

    def __init__(
        self, uow: UnitOfWork, orders: OrderRepository, emails: EmailSender, clock: Clock, policy: OrderPolicy
    ) -> None:
        self._uow, self._orders, self._emails, self._clock, self._policy = uow, orders, emails, clock, policy

    async def __call__(self, order_id: int) -> Order:
        """The paid order; `NotFoundError` for an unknown one."""
        async with self._uow:
            order = await self._orders.get(order_id, lock=True)
            if order is None:
                raise NotFoundError
            if order.status is OrderStatus.CANCELLED:
                raise OrderUpdateError
            if order.status is OrderStatus.PAID:
                return order
            paid = await mark_paid(self._orders, order, self._clock.now(), by=self._by)
            await self._uow.commit()
        await send_after_commit(self._emails, order_confirmed(paid, self._policy))
        return paid


class MarkOrderPaid(_Confirm):
    """Staff confirm a payment they received (the `manual` gateway)."""

    _by = "staff"


class ConfirmPayment(_Confirm):
    """The payment gateway reports a successful payment (its webhook, signature already checked)."""

    _by = "gateway"
