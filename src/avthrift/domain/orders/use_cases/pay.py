"""Paying an order (contract §9): the owner asks the configured gateway to start a payment; the
order is never marked paid here (the peer let owners mark their own orders paid, §7.2 #3). Staff or
the gateway's signed webhook confirm it (`confirm.py`)."""

from dataclasses import dataclass

from avthrift.domain.orders.errors import OrderUpdateError
from avthrift.domain.orders.model import Order, OrderStatus
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.payments.ports import PaymentGateway, PaymentStart
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.ports import UnitOfWork


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentStarted:
    """The pending order and what its customer does next."""

    order: Order
    payment: PaymentStart


class PayOrder:
    """A pending order: `PaymentStarted`. Already paid: the order, unchanged (a no-op). Cancelled:
    `OrderUpdateError`. Another user's order: `NotFoundError`. The gateway is called after the read
    transaction has closed (architecture rule 11: no network call while one is open)."""

    def __init__(self, uow: UnitOfWork, orders: OrderRepository, gateway: PaymentGateway) -> None:
        self._uow, self._orders, self._gateway = uow, orders, gateway

    async def __call__(self, user_id: int, order_id: int) -> PaymentStarted | Order:
        async with self._uow:
            order = await self._orders.get(order_id, user_id=user_id)
        if order is None:
            raise NotFoundError
        if order.status is OrderStatus.CANCELLED:
            raise OrderUpdateError
        if order.status is OrderStatus.PAID:
            return order
        return PaymentStarted(order=order, payment=await self._gateway.start(order))
