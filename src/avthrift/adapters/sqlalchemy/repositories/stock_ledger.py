"""Stock rows and their movement ledger (contract §6), with Core statements on the request's session.

A movement changes `on_hand` with one conditional statement (`on_hand + q >= reserved`) and is
recorded in the same transaction, so `on_hand = Σ movements` holds after every commit.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, literal, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.repositories.stock import HOLDS, MOVEMENTS, STOCK
from avthrift.adapters.sqlalchemy.rows.catalog import VariantRow
from avthrift.domain.inventory.errors import StockBelowReservedError, StockItemExistsError
from avthrift.domain.inventory.model import HoldState, LedgerMismatch, MovementType, movement_problem
from avthrift.domain.inventory.ports import StockLedger
from avthrift.domain.shared.errors import NotFoundError, field_error
from avthrift.domain.shared.ids import usable_id


class SqlAlchemyStockLedger(StockLedger):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _execute(self, statement: Any) -> Any:
        with translate_errors():
            return await self._session.execute(statement)

    async def _record(
        self, stock_item_id: int, movement_type: str, quantity: int, reason: str, reference: str
    ) -> int:
        statement = (
            insert(MOVEMENTS)
            .values(
                stock_item_id=stock_item_id,
                movement_type=movement_type,
                quantity=quantity,
                reason=reason,
                reference=reference,
            )
            .returning(MOVEMENTS.c.id)
        )
        movement_id: int = (await self._execute(statement)).scalar_one()
        return movement_id

    async def create_item(self, variant_id: int, quantity: int, *, reason: str) -> int:
        if quantity < 0:
            raise field_error("quantity", "Ensure this value is greater than or equal to 0.")
        if not usable_id(variant_id):
            raise NotFoundError
        exists = (await self._execute(select(VariantRow.id).where(VariantRow.id == variant_id))).first()
        if exists is None:
            raise NotFoundError
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(STOCK)
            .values(variant_id=variant_id, on_hand=quantity, reserved=0)
            .on_conflict_do_nothing(index_elements=[STOCK.c.variant_id])
            .returning(STOCK.c.id)
        )
        stock_item_id = (await self._execute(statement)).scalar_one_or_none()
        if stock_item_id is None:
            raise StockItemExistsError
        if quantity:
            await self._record(stock_item_id, MovementType.IN.value, quantity, reason, "")
        return int(stock_item_id)

    async def move(
        self, stock_item_id: int, movement_type: str, quantity: int, *, reason: str, reference: str
    ) -> int:
        problem = movement_problem(movement_type, quantity)
        if problem is not None:
            raise field_error(*problem)
        if not usable_id(stock_item_id):
            raise NotFoundError
        moved = await self._execute(
            update(STOCK)
            .where(STOCK.c.id == stock_item_id, STOCK.c.on_hand + quantity >= STOCK.c.reserved)
            .values(on_hand=STOCK.c.on_hand + quantity)
            .returning(STOCK.c.id)
        )
        if moved.first() is None:
            found = (await self._execute(select(STOCK.c.id).where(STOCK.c.id == stock_item_id))).first()
            raise NotFoundError if found is None else StockBelowReservedError
        return await self._record(stock_item_id, movement_type, quantity, reason, reference)

    async def restock(self, quantities: Mapping[int, int], *, reason: str, reference: str) -> None:
        for variant_id in sorted(v for v in quantities if usable_id(v)):
            quantity = quantities[variant_id]
            found = await self._execute(
                update(STOCK)
                .where(STOCK.c.variant_id == variant_id)
                .values(on_hand=STOCK.c.on_hand + quantity)
                .returning(STOCK.c.id)
            )
            stock_item_id = found.scalar_one_or_none()
            if stock_item_id is not None:
                await self._record(stock_item_id, MovementType.IN.value, quantity, reason, reference)

    async def mismatches(self) -> tuple[LedgerMismatch, ...]:
        moved = (
            select(MOVEMENTS.c.stock_item_id, func.sum(MOVEMENTS.c.quantity).label("total"))
            .group_by(MOVEMENTS.c.stock_item_id)
            .subquery()
        )
        held = (
            select(HOLDS.c.variant_id, func.sum(HOLDS.c.quantity).label("total"))
            .where(HOLDS.c.state == HoldState.ACTIVE.value)
            .group_by(HOLDS.c.variant_id)
            .subquery()
        )
        movements_sum = func.coalesce(moved.c.total, 0)
        holds_sum = func.coalesce(held.c.total, 0)
        rows = (
            select(
                STOCK.c.variant_id,
                STOCK.c.on_hand,
                movements_sum.label("movements_sum"),
                STOCK.c.reserved,
                holds_sum.label("holds_sum"),
            )
            .outerjoin(moved, moved.c.stock_item_id == STOCK.c.id)
            .outerjoin(held, held.c.variant_id == STOCK.c.variant_id)
            .where(or_(STOCK.c.on_hand != movements_sum, STOCK.c.reserved != holds_sum))
        )
        # Active holds of a variant without a stock row hold stock that does not exist.
        orphans = (
            select(
                held.c.variant_id,
                literal(0).label("on_hand"),
                literal(0).label("movements_sum"),
                literal(0).label("reserved"),
                held.c.total.label("holds_sum"),
            )
            .outerjoin(STOCK, STOCK.c.variant_id == held.c.variant_id)
            .where(STOCK.c.id.is_(None))
        )
        combined = union_all(rows, orphans).subquery()
        found = (await self._execute(select(combined).order_by(combined.c.variant_id))).all()
        return tuple(
            LedgerMismatch(
                variant_id=variant_id,
                on_hand=int(on_hand),
                movements_sum=int(movements),
                reserved=int(reserved),
                active_holds_sum=int(holds),
            )
            for variant_id, on_hand, movements, reserved, holds in found
        )
