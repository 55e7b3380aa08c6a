"""The two moves of a pending order, made on the order the caller locked (reference §3.4; contract
§9). Cancelling puts the order's stock back on hand with `in` movements referencing the order (the
peer kept it, §7.2 #11)."""

import logging
from collections import Counter
from datetime import datetime

from avthrift.domain.inventory.ports import StockLedger
from avthrift.domain.orders.model import Order, OrderStatus, order_reference
from avthrift.domain.orders.ports import OrderRepository

logger = logging.getLogger("avthrift.orders")


def _changed(order: Order, status: OrderStatus, by: str) -> None:
    logger.info("order_status_changed: order %d %s -> %s by %s", order.id, order.status, status, by)


async def cancel(
    orders: OrderRepository, ledger: StockLedger, order: Order, now: datetime, *, by: str, reason: str
) -> Order:
    """Cancel the locked pending `order` and restock its units; the cancelled order."""
    quantities: Counter[int] = Counter()
    for line in order.lines:
        quantities[line.variant_id] += line.quantity
    await orders.set_status(order.id, OrderStatus.CANCELLED, now=now)
    await ledger.restock(quantities, reason=reason, reference=order_reference(order.id))
    _changed(order, OrderStatus.CANCELLED, by)
    return order.moved(OrderStatus.CANCELLED, now)


async def mark_paid(orders: OrderRepository, order: Order, now: datetime, *, by: str) -> Order:
    """Mark the locked pending `order` paid; the paid order."""
    await orders.set_status(order.id, OrderStatus.PAID, now=now)
    _changed(order, OrderStatus.PAID, by)
    return order.moved(OrderStatus.PAID, now)
