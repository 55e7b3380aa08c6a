"""What the orders context needs from storage."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from avthrift.domain.orders.model import NewOrder, Order, OrderQuery, OrderStatus
from avthrift.domain.shared.pagination import Page


class OrderRepository(Protocol):
    """Orders and their lines, in the caller's unit of work (transactional, never commits).

    A `lock=True` read takes the order's row lock until the transaction ends (PostgreSQL `FOR
    UPDATE`; on SQLite every writing transaction is already serialised), so pay, cancel and
    expiry of one order never interleave. Unknown or unusable ids read as `None`.
    """

    async def add(self, order: NewOrder) -> Order:
        """Insert the order (status `pending`), its number and its lines."""
        ...

    async def get(self, order_id: int, *, user_id: int | None = None, lock: bool = False) -> Order | None:
        """The order; with `user_id`, only when that user owns it."""
        ...

    async def set_status(self, order_id: int, status: OrderStatus, *, now: datetime) -> None:
        """Record a move the caller checked on the locked order (stamps `paid_at`/`cancelled_at`)."""
        ...

    async def search(self, query: OrderQuery) -> Page[Order]: ...

    async def pending_before(self, created_before: datetime, *, limit: int) -> Sequence[int]:
        """Ids of up to `limit` pending orders created before `created_before`, oldest first."""
        ...
