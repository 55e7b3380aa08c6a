"""Staff reads of stock rows, movements and holds: column selects, one page at a time."""

from typing import Any, Final

from sqlalchemy import ColumnElement, Row, Select, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.pagination import fetch_page, order_by
from avthrift.adapters.sqlalchemy.repositories.stock import HOLDS, MOVEMENTS, STOCK
from avthrift.adapters.sqlalchemy.rows.catalog import VariantRow
from avthrift.domain.inventory.model import HoldState, MovementType
from avthrift.domain.inventory.ports import InventoryReader
from avthrift.domain.inventory.read_models import (
    Movement,
    MovementQuery,
    Reservation,
    ReservationQuery,
    StockItem,
    StockItemQuery,
)
from avthrift.domain.shared.ids import usable_id
from avthrift.domain.shared.pagination import Page

_STOCK_ITEMS: Final = select(
    STOCK.c.id,
    STOCK.c.variant_id,
    VariantRow.sku,
    STOCK.c.on_hand,
    STOCK.c.reserved,
    STOCK.c.updated_at,
).join_from(STOCK, VariantRow, VariantRow.id == STOCK.c.variant_id)
_STOCK_ORDERING: Final[dict[str, ColumnElement[Any]]] = {
    "id": STOCK.c.id,
    "variant": STOCK.c.variant_id,
    "sku": VariantRow.sku.expression,
    "quantity": STOCK.c.on_hand,
    "reserved": STOCK.c.reserved,
    "available": STOCK.c.on_hand - STOCK.c.reserved,
    "updated_at": STOCK.c.updated_at,
}
_MOVEMENTS: Final = select(
    MOVEMENTS.c.id,
    MOVEMENTS.c.stock_item_id,
    MOVEMENTS.c.movement_type,
    MOVEMENTS.c.quantity,
    MOVEMENTS.c.reason,
    MOVEMENTS.c.reference,
    MOVEMENTS.c.created_at,
)
_MOVEMENT_ORDERING: Final[dict[str, ColumnElement[Any]]] = {
    "id": MOVEMENTS.c.id,
    "stock_item": MOVEMENTS.c.stock_item_id,
    "movement_type": MOVEMENTS.c.movement_type,
    "quantity": MOVEMENTS.c.quantity,
    "created_at": MOVEMENTS.c.created_at,
}
_RESERVATIONS: Final = select(
    HOLDS.c.id,
    HOLDS.c.variant_id,
    HOLDS.c.quantity,
    HOLDS.c.reference,
    HOLDS.c.state,
    HOLDS.c.expires_at,
    HOLDS.c.created_at,
)
_RESERVATION_ORDERING: Final[dict[str, ColumnElement[Any]]] = {
    "id": HOLDS.c.id,
    "variant": HOLDS.c.variant_id,
    "quantity": HOLDS.c.quantity,
    "reference": HOLDS.c.reference,
    "state": HOLDS.c.state,
    "expires_at": HOLDS.c.expires_at,
    "created_at": HOLDS.c.created_at,
}


def _stock_item(row: Row[Any]) -> StockItem:
    return StockItem(**row._asdict())


def _movement(row: Row[Any]) -> Movement:
    values = row._asdict()
    return Movement(**(values | {"movement_type": MovementType(values["movement_type"])}))


def _reservation(row: Row[Any]) -> Reservation:
    values = row._asdict()
    return Reservation(**(values | {"state": HoldState(values["state"])}))


def _id_filter(column: ColumnElement[Any], value: int | None) -> list[ColumnElement[bool]]:
    """Ids beyond 64 bits name no row (and would overflow the driver)."""
    if value is None:
        return []
    return [column == value] if usable_id(value) else [false()]


class SqlAlchemyInventoryReader(InventoryReader):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, statement: Select[Any]) -> Row[Any] | None:
        with translate_errors():
            row: Row[Any] | None = (await self._session.execute(statement)).first()
        return row

    async def stock_items(self, query: StockItemQuery) -> Page[StockItem]:
        conditions = [
            *_id_filter(VariantRow.product_id.expression, query.product_id),
            *_id_filter(STOCK.c.variant_id, query.variant_id),
        ]
        if query.sku is not None:
            conditions.append(func.lower(VariantRow.sku) == query.sku.lower())
        if query.updated_after is not None:
            conditions.append(STOCK.c.updated_at >= query.updated_after)
        statement = _STOCK_ITEMS.where(*conditions).order_by(*order_by(_STOCK_ORDERING, query.ordering))
        return await fetch_page(self._session, statement, query.page, _stock_item)

    async def stock_item(self, stock_item_id: int) -> StockItem | None:
        if not usable_id(stock_item_id):
            return None
        row = await self._one(_STOCK_ITEMS.where(STOCK.c.id == stock_item_id))
        return None if row is None else _stock_item(row)

    async def stock_item_count(self) -> int:
        with translate_errors():
            return int(await self._session.scalar(select(func.count()).select_from(STOCK)) or 0)

    async def movements(self, query: MovementQuery) -> Page[Movement]:
        conditions = _id_filter(MOVEMENTS.c.stock_item_id, query.stock_item_id)
        if query.movement_type is not None:
            conditions.append(MOVEMENTS.c.movement_type == query.movement_type.value)
        if query.created_after is not None:
            conditions.append(MOVEMENTS.c.created_at >= query.created_after)
        statement = _MOVEMENTS.where(*conditions).order_by(*order_by(_MOVEMENT_ORDERING, query.ordering))
        return await fetch_page(self._session, statement, query.page, _movement)

    async def movement(self, movement_id: int) -> Movement | None:
        if not usable_id(movement_id):
            return None
        row = await self._one(_MOVEMENTS.where(MOVEMENTS.c.id == movement_id))
        return None if row is None else _movement(row)

    async def reservations(self, query: ReservationQuery) -> Page[Reservation]:
        conditions = _id_filter(HOLDS.c.variant_id, query.variant_id)
        if query.state is not None:
            conditions.append(HOLDS.c.state == query.state.value)
        if query.expires_before is not None:
            conditions.append(HOLDS.c.expires_at <= query.expires_before)
        statement = _RESERVATIONS.where(*conditions).order_by(
            *order_by(_RESERVATION_ORDERING, query.ordering)
        )
        return await fetch_page(self._session, statement, query.page, _reservation)
