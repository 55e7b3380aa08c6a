"""The owner's orders (reference §1.9): newest first, filtered; another user's order is `NotFoundError`
(contract §1: never reveal that it exists). Totals are the stored ones (§7.2 #10)."""

from avthrift.domain.orders.model import Order, OrderQuery
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.pagination import Page
from avthrift.domain.shared.ports import UnitOfWork


class ListOrders:
    def __init__(self, uow: UnitOfWork, orders: OrderRepository) -> None:
        self._uow, self._orders = uow, orders

    async def __call__(self, query: OrderQuery) -> Page[Order]:
        async with self._uow:
            return await self._orders.search(query)


class GetOrder:
    def __init__(self, uow: UnitOfWork, orders: OrderRepository) -> None:
        self._uow, self._orders = uow, orders

    async def __call__(self, user_id: int, order_id: int) -> Order:
        async with self._uow:
            order = await self._orders.get(order_id, user_id=user_id)
        if order is None:
            raise NotFoundError
        return order
