"""Orders and their lines with Core statements (architecture rule 6). The order row is locked with
`FOR UPDATE` on PostgreSQL; on SQLite `BEGIN IMMEDIATE` already serialises writing transactions."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Executable, Integer, Row, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.pagination import fetch_page
from avthrift.adapters.sqlalchemy.rows.orders import OrderLineRow, OrderRow
from avthrift.domain.orders.model import (
    NewOrder,
    Order,
    OrderLine,
    OrderQuery,
    OrderStatus,
    Totals,
    order_number,
)
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.shared.ids import usable_id
from avthrift.domain.shared.money import CURRENCY, to_money
from avthrift.domain.shared.pagination import Page

ORDERS: Final = cast(Table, OrderRow.__table__)
LINES: Final = cast(Table, OrderLineRow.__table__)

_ORDER_COLUMNS: Final = (
    ORDERS.c.id,
    ORDERS.c.number,
    ORDERS.c.user_id,
    ORDERS.c.email,
    ORDERS.c.status,
    ORDERS.c.subtotal,
    ORDERS.c.shipping,
    ORDERS.c.tax,
    ORDERS.c.discount,
    ORDERS.c.created_at,
    ORDERS.c.paid_at,
    ORDERS.c.cancelled_at,
)
_INSERT_ORDER: Final = insert(ORDERS).returning(ORDERS.c.id, ORDERS.c.created_at)
_NUMBER: Final = (
    update(ORDERS).where(ORDERS.c.id == bindparam("order_key")).values(number=bindparam("new_number"))
)
_INSERT_LINES: Final = insert(LINES)
_LINES_OF: Final = (
    select(LINES.c.id, LINES.c.order_id, LINES.c.variant_id, LINES.c.product_title, LINES.c.variant_sku)
    .add_columns(LINES.c.quantity, LINES.c.unit_price)
    .where(LINES.c.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(LINES.c.id)
)
_BY_ID: Final = select(*_ORDER_COLUMNS).where(ORDERS.c.id == bindparam("order_id"))
_STAMPS: Final = {OrderStatus.PAID: "paid_at", OrderStatus.CANCELLED: "cancelled_at"}
_PENDING_BEFORE: Final = (
    select(ORDERS.c.id)
    .where(ORDERS.c.status == OrderStatus.PENDING.value, ORDERS.c.created_at < bindparam("created_before"))
    .order_by(ORDERS.c.created_at, ORDERS.c.id)
    .limit(bindparam("limit", type_=Integer))
)


def _money(value: Any) -> Decimal:
    return to_money(Decimal(value))


def _line(row: Row[Any]) -> OrderLine:
    return OrderLine(
        id=row.id,
        variant_id=row.variant_id,
        product_title=row.product_title,
        variant_sku=row.variant_sku,
        quantity=row.quantity,
        unit_price=_money(row.unit_price),
    )


def _order(row: Row[Any], lines: Sequence[OrderLine]) -> Order:
    return Order(
        id=row.id,
        number=row.number or order_number(row.id),
        user_id=row.user_id,
        email=row.email,
        status=OrderStatus(row.status),
        lines=tuple(lines),
        totals=Totals(
            subtotal=_money(row.subtotal),
            shipping=_money(row.shipping),
            tax=_money(row.tax),
            discount=_money(row.discount),
        ),
        created_at=row.created_at,
        paid_at=row.paid_at,
        cancelled_at=row.cancelled_at,
    )


class SqlAlchemyOrderRepository(OrderRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _execute(self, statement: Executable, params: Any = None) -> Any:
        """Run `statement` as Core on the session's connection (in the session's transaction)."""
        with translate_errors():
            connection = await self._session.connection()
            return await connection.execute(statement, params)

    async def _lines(self, order_ids: Sequence[int]) -> dict[int, list[OrderLine]]:
        found: dict[int, list[OrderLine]] = defaultdict(list)
        if order_ids:
            for row in (await self._execute(_LINES_OF, {"order_ids": list(order_ids)})).all():
                found[row.order_id].append(_line(row))
        return found

    async def add(self, order: NewOrder) -> Order:
        totals = order.totals
        values = {
            "user_id": order.user_id,
            "email": order.email,
            "status": OrderStatus.PENDING.value,
            "currency": CURRENCY,
            "subtotal": totals.subtotal,
            "shipping": totals.shipping,
            "tax": totals.tax,
            "discount": totals.discount,
            "total": totals.total,
        }
        inserted = (await self._execute(_INSERT_ORDER, values)).one()
        order_id: int = inserted.id
        number = order_number(order_id)
        await self._execute(_NUMBER, {"order_key": order_id, "new_number": number})
        await self._execute(
            _INSERT_LINES,
            [
                {
                    "order_id": order_id,
                    "variant_id": line.variant_id,
                    "product_title": line.product_title,
                    "variant_sku": line.variant_sku,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                }
                for line in order.lines
            ],
        )
        lines = (await self._lines([order_id]))[order_id]
        return Order(
            id=order_id,
            number=number,
            user_id=order.user_id,
            email=order.email,
            status=OrderStatus.PENDING,
            lines=tuple(lines),
            totals=totals,
            created_at=inserted.created_at,
        )

    async def get(self, order_id: int, *, user_id: int | None = None, lock: bool = False) -> Order | None:
        if not usable_id(order_id) or (user_id is not None and not usable_id(user_id)):
            return None
        statement = _BY_ID.with_for_update() if lock else _BY_ID
        row = (await self._execute(statement, {"order_id": order_id})).first()
        if row is None or (user_id is not None and row.user_id != user_id):
            return None
        return _order(row, (await self._lines([row.id]))[row.id])

    async def set_status(self, order_id: int, status: OrderStatus, *, now: datetime) -> None:
        values: dict[str, Any] = {"status": status.value}
        stamp = _STAMPS.get(status)
        if stamp is not None:
            values[stamp] = now
        await self._execute(update(ORDERS).where(ORDERS.c.id == order_id).values(**values))

    async def search(self, query: OrderQuery) -> Page[Order]:
        conditions: list[ColumnElement[bool]] = [ORDERS.c.user_id == query.user_id]
        if query.status is not None:
            conditions.append(ORDERS.c.status == query.status.value)
        if query.number is not None:
            conditions.append(ORDERS.c.number == query.number)
        if query.start is not None:
            conditions.append(ORDERS.c.created_at >= query.start)
        if query.end is not None:
            conditions.append(ORDERS.c.created_at <= query.end)
        statement = select(*_ORDER_COLUMNS).where(*conditions).order_by(ORDERS.c.id.desc())
        with translate_errors():
            connection = await self._session.connection()
        page = await fetch_page(connection, statement, query.page, lambda row: row)
        lines = await self._lines([row.id for row in page.items])
        return page.map(lambda row: _order(row, lines[row.id]))

    async def pending_before(self, created_before: datetime, *, limit: int) -> Sequence[int]:
        params = {"created_before": created_before, "limit": limit}
        return tuple((await self._execute(_PENDING_BEFORE, params)).scalars().all())
