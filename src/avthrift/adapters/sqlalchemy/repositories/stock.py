"""Holds on stock (`StockReserver`), with Core statements on the request's session; the movement
ledger is `stock_ledger.py`.

Taking stock is one conditional `UPDATE stock_items … WHERE on_hand - reserved >= :q` (the CHECK
constraints back it up); identical SQL on PostgreSQL and SQLite, where `BEGIN IMMEDIATE` serialises
writers and the row-lock clauses compile to nothing.

Lock order on PostgreSQL (no deadlocks): a stock row is locked before any hold row of its variant,
stock rows in ascending variant id. Work that does not own a hold never waits for its row lock:
reclaiming, `expire` and `renew` lock hold rows with `SKIP LOCKED`. The reclaim does not re-read
the stock row inside the `UPDATE` (`reserved - (SELECT SUM …)`): under READ COMMITTED a statement
that waited for the row lock would subtract a sum taken before the wait. It locks the row, marks the
lapsed holds released with `RETURNING`, and subtracts exactly what it released.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Executable,
    Integer,
    Row,
    Select,
    String,
    Table,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningUpdate

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.rows.inventory import StockItemRow, StockMovementRow, StockReservationRow
from avthrift.domain.inventory.errors import (
    InsufficientStockError,
)
from avthrift.domain.inventory.model import Hold, HoldState, MovementType
from avthrift.domain.inventory.ports import StockReserver
from avthrift.domain.shared.errors import NotFoundError, field_error
from avthrift.domain.shared.ids import usable_id

MAX_QUANTITY: Final = 2**31 - 1
CHECKOUT_REASON: Final = "Cart checkout"

STOCK: Final = cast(Table, StockItemRow.__table__)
HOLDS: Final = cast(Table, StockReservationRow.__table__)
MOVEMENTS: Final = cast(Table, StockMovementRow.__table__)
_ACTIVE: Final = HoldState.ACTIVE.value
_HOLD_COLUMNS: Final = (
    HOLDS.c.id,
    HOLDS.c.variant_id,
    HOLDS.c.quantity,
    HOLDS.c.reference,
    HOLDS.c.state,
    HOLDS.c.expires_at,
)


# The statements of holds are built once, with bound parameters, and run as Core on the session's
# connection: building one and the ORM execution path cost more than running it. Bound parameters
# of an UPDATE never take a column's name (Core would read it as a SET value).
_INSERT_HOLD: Final = (
    insert(HOLDS)
    .values(
        variant_id=bindparam("variant_id"),
        quantity=bindparam("quantity"),
        reference=bindparam("reference"),
        state=_ACTIVE,
        expires_at=bindparam("expires_at"),
    )
    .returning(HOLDS.c.id)
)
_TAKE: Final = (
    update(STOCK)
    .where(
        STOCK.c.variant_id == bindparam("variant"),
        STOCK.c.on_hand - STOCK.c.reserved >= bindparam("wanted"),
    )
    .values(reserved=STOCK.c.reserved + bindparam("wanted"))
    .returning(STOCK.c.id)
)
# PostgreSQL only (SQLite has no data-modifying CTE): the conditional take and the hold's row in one
# round trip; the hold row exists only when the stock row matched. The audit stamps are written
# explicitly (the model's Python-side defaults do not reach into a CTE).
_TAKEN: Final = (
    update(STOCK)
    .where(
        STOCK.c.variant_id == bindparam("variant"),
        STOCK.c.on_hand - STOCK.c.reserved >= bindparam("wanted"),
    )
    .values(reserved=STOCK.c.reserved + bindparam("wanted"), updated_at=func.now())
    .returning(STOCK.c.variant_id)
    .cte("taken")
)
_TAKE_AND_HOLD: Final = (
    insert(HOLDS)
    .from_select(
        ["variant_id", "quantity", "reference", "state", "expires_at", "created_at", "updated_at"],
        select(
            _TAKEN.c.variant_id,
            bindparam("wanted", type_=Integer),
            bindparam("reference", type_=String),
            literal(_ACTIVE),
            bindparam("expires_at", type_=DateTime(timezone=True)),
            func.now(),
            func.now(),
        ),
    )
    .returning(HOLDS.c.id)
)
_STOCK_LOCKED: Final = (
    select(STOCK.c.on_hand, STOCK.c.reserved)
    .where(STOCK.c.variant_id == bindparam("variant"))
    .with_for_update()
)
_RECLAIMED: Final = (
    update(STOCK)
    .where(STOCK.c.variant_id == bindparam("variant"))
    .values(reserved=STOCK.c.reserved - bindparam("released") + bindparam("taken"))
)


def _end_statement(holds: Select[Any], state: HoldState) -> ReturningUpdate[tuple[int, int]]:
    """End the active holds `holds` selects (skipping rows other transactions have locked);
    returns `(variant_id, quantity)` of each."""
    return (
        update(HOLDS)
        .where(HOLDS.c.id.in_(holds.with_for_update(skip_locked=True)), HOLDS.c.state == _ACTIVE)
        .values(state=state.value)
        .returning(HOLDS.c.variant_id, HOLDS.c.quantity)
    )


_LAPSED: Final = select(HOLDS.c.id).where(
    HOLDS.c.variant_id == bindparam("variant"),
    HOLDS.c.state == _ACTIVE,
    HOLDS.c.expires_at <= bindparam("now"),
)
_RELEASE_LAPSED: Final = _end_statement(_LAPSED, HoldState.RELEASED)
_RELEASE_LAPSED_BUT: Final = _end_statement(
    _LAPSED.where(HOLDS.c.id != bindparam("keep")), HoldState.RELEASED
)


def _lock_stock_where(condition: ColumnElement[bool]) -> Select[tuple[int, int]]:
    """Lock stock rows in ascending variant id; `(variant_id, id)` of each."""
    return (
        select(STOCK.c.variant_id, STOCK.c.id).where(condition).order_by(STOCK.c.variant_id).with_for_update()
    )


_LOCK_STOCK_OF_VARIANT: Final = _lock_stock_where(STOCK.c.variant_id == bindparam("variant"))
_LOCK_STOCK_OF_VARIANTS: Final = _lock_stock_where(
    STOCK.c.variant_id.in_(bindparam("variants", expanding=True))
)
_OWNED: Final = (HOLDS.c.id.in_(bindparam("hold_ids", expanding=True)), HOLDS.c.state == _ACTIVE)
_LOCK_STOCK_OF_HOLDS: Final = _lock_stock_where(
    STOCK.c.variant_id.in_(select(HOLDS.c.variant_id).where(*_OWNED))
)
_END_OWNED: Final = {
    state: update(HOLDS)
    .where(*_OWNED)
    .values(state=state.value)
    .returning(HOLDS.c.id, HOLDS.c.variant_id, HOLDS.c.quantity)
    for state in (HoldState.RELEASED, HoldState.CONVERTED)
}
# PostgreSQL only, once the stock rows are locked: end the holds and give their units back in one
# round trip.
_RELEASED: Final = (
    update(HOLDS)
    .where(*_OWNED)
    .values(state=HoldState.RELEASED.value, updated_at=func.now())
    .returning(HOLDS.c.variant_id, HOLDS.c.quantity)
    .cte("released")
)
_RELEASED_SUMS: Final = (
    select(_RELEASED.c.variant_id, func.sum(_RELEASED.c.quantity).label("given"))
    .group_by(_RELEASED.c.variant_id)
    .cte("given_back")
)
_RELEASE_OWNED: Final = (
    update(STOCK)
    .where(STOCK.c.variant_id == _RELEASED_SUMS.c.variant_id)
    .values(reserved=STOCK.c.reserved - _RELEASED_SUMS.c.given, updated_at=func.now())
)
_GIVE_BACK: Final = update(STOCK).where(STOCK.c.variant_id == bindparam("variant"))
_GIVE_BACK_HELD: Final = _GIVE_BACK.values(reserved=STOCK.c.reserved - bindparam("given"))
_GIVE_BACK_SOLD: Final = _GIVE_BACK.values(
    reserved=STOCK.c.reserved - bindparam("given"), on_hand=STOCK.c.on_hand - bindparam("given")
)
_HOLD_BY_ID: Final = select(*_HOLD_COLUMNS).where(HOLDS.c.id == bindparam("hold_id"))
_HOLDS_BY_ID: Final = select(*_HOLD_COLUMNS).where(HOLDS.c.id.in_(bindparam("hold_ids", expanding=True)))
_RESIZE: Final = (
    update(HOLDS)
    .where(HOLDS.c.id == bindparam("hold"))
    .values(quantity=bindparam("new_quantity"), expires_at=bindparam("new_expires_at"))
)
_HOLDING: Final = select(HOLDS.c.id).where(
    HOLDS.c.id.in_(bindparam("hold_ids", expanding=True)),
    HOLDS.c.state == _ACTIVE,
    or_(HOLDS.c.expires_at.is_(None), HOLDS.c.expires_at > bindparam("now")),
)
_RENEW: Final = (
    update(HOLDS)
    .where(HOLDS.c.id.in_(_HOLDING.with_for_update(skip_locked=True)))
    .values(expires_at=bindparam("new_expires_at"))
)
_INSERT_MOVEMENTS: Final = insert(MOVEMENTS)


def _ids(ids: Iterable[int]) -> list[int]:
    return sorted({value for value in ids if usable_id(value)})


def _hold(row: Row[Any]) -> Hold:
    values = row._mapping
    return Hold(
        id=values["id"],
        variant_id=values["variant_id"],
        quantity=values["quantity"],
        reference=values["reference"],
        state=HoldState(values["state"]),
        expires_at=values["expires_at"],
    )


def _active_hold(hold_id: int, variant_id: int, quantity: int, reference: str, expires_at: datetime) -> Hold:
    return Hold(
        id=hold_id,
        variant_id=variant_id,
        quantity=quantity,
        reference=reference,
        state=HoldState.ACTIVE,
        expires_at=expires_at,
    )


def _positive(quantity: int) -> None:
    if quantity <= 0:
        raise field_error("quantity", "Ensure this value is greater than or equal to 1.")


def _sums(rows: Iterable[tuple[int, int] | Row[Any]]) -> dict[int, int]:
    """`(variant_id, quantity)` rows → total quantity per variant."""
    totals: dict[int, int] = defaultdict(int)
    for variant_id, quantity in rows:
        totals[variant_id] += quantity
    return totals


class SqlAlchemyStockReserver(StockReserver):
    """Reclaiming a variant's lapsed holds (when free stock is short) stays done even when the hold
    then fails for want of stock: it only ends holds that no longer hold, so the ledger stays
    consistent and the caller's transaction decides whether it is kept."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = session.bind.dialect.name == "postgresql"

    async def _execute(
        self, statement: Executable, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> Any:
        """Run `statement` as Core on the session's connection (in the session's transaction)."""
        with translate_errors():
            connection = await self._session.connection()
            return await connection.execute(statement, params)

    async def hold(
        self, variant_id: int, quantity: int, *, reference: str, expires_at: datetime, now: datetime
    ) -> Hold:
        _positive(quantity)
        if self._postgres and usable_id(variant_id) and quantity <= MAX_QUANTITY:
            params = {
                "variant": variant_id,
                "wanted": quantity,
                "reference": reference,
                "expires_at": expires_at,
            }
            hold_id = (await self._execute(_TAKE_AND_HOLD, params)).scalar_one_or_none()
            if hold_id is not None:
                return _active_hold(hold_id, variant_id, quantity, reference, expires_at)
            await self._reclaim(variant_id, quantity, now)
        else:
            await self._take(variant_id, quantity, now)
        return await self._insert_hold(variant_id, quantity, reference, expires_at)

    async def _insert_hold(
        self, variant_id: int, quantity: int, reference: str, expires_at: datetime
    ) -> Hold:
        params = {
            "variant_id": variant_id,
            "quantity": quantity,
            "reference": reference,
            "expires_at": expires_at,
        }
        hold_id = (await self._execute(_INSERT_HOLD, params)).scalar_one()
        return _active_hold(hold_id, variant_id, quantity, reference, expires_at)

    async def _take(self, variant_id: int, quantity: int, now: datetime, *, keep: Hold | None = None) -> None:
        """`reserved += quantity` with one conditional statement; when it matches nothing, reclaim
        the variant's lapsed holds (but `keep`) and take the units if they are free now."""
        own = 0 if keep is None else keep.quantity
        if not usable_id(variant_id):
            raise InsufficientStockError(variant_id, own)
        if quantity <= MAX_QUANTITY:
            taken = await self._execute(_TAKE, {"variant": variant_id, "wanted": quantity})
            if taken.first() is not None:
                return
        await self._reclaim(variant_id, quantity, now, keep=keep)

    async def _reclaim(
        self, variant_id: int, quantity: int, now: datetime, *, keep: Hold | None = None
    ) -> None:
        """The slow path of `_take`: lock the stock row, release the variant's lapsed holds (but
        `keep`) and take the units if they are free now."""
        own = 0 if keep is None else keep.quantity
        stock = (await self._execute(_STOCK_LOCKED, {"variant": variant_id})).first()
        if stock is None:
            raise InsufficientStockError(variant_id, own)
        released = sum(_sums(await self._release_lapsed(variant_id, now, keep)).values())
        free = stock.on_hand - stock.reserved + released
        take = quantity if free >= quantity else 0
        if released or take:
            await self._execute(_RECLAIMED, {"variant": variant_id, "released": released, "taken": take})
        if not take:
            raise InsufficientStockError(variant_id, free + own)

    async def _release_lapsed(self, variant_id: int, now: datetime, keep: Hold | None) -> list[Row[Any]]:
        """Mark the variant's lapsed active holds released (skipping rows other transactions have
        locked); `(variant_id, quantity)` of each. The caller holds the stock row's lock."""
        if keep is None:
            result = await self._execute(_RELEASE_LAPSED, {"variant": variant_id, "now": now})
        else:
            result = await self._execute(
                _RELEASE_LAPSED_BUT, {"variant": variant_id, "now": now, "keep": keep.id}
            )
        return list(result.all())

    async def _lock_stock(self, variant_ids: Collection[int]) -> dict[int, int]:
        """Lock the stock rows of `variant_ids` in ascending variant id; their ids by variant."""
        params = {"variants": sorted(variant_ids)}
        return dict((await self._execute(_LOCK_STOCK_OF_VARIANTS, params)).all())

    async def _give_back(self, totals: Mapping[int, int], *, sold: bool = False) -> None:
        statement = _GIVE_BACK_SOLD if sold else _GIVE_BACK_HELD
        for variant_id in sorted(totals):
            await self._execute(statement, {"variant": variant_id, "given": totals[variant_id]})

    async def _get(self, hold_id: int) -> Hold | None:
        row = (await self._execute(_HOLD_BY_ID, {"hold_id": hold_id})).first()
        return None if row is None else _hold(row)

    async def resize(self, hold_id: int, quantity: int, *, expires_at: datetime, now: datetime) -> Hold:
        _positive(quantity)
        found = await self._get(hold_id) if usable_id(hold_id) else None
        if found is None:
            raise NotFoundError
        await self._execute(_LOCK_STOCK_OF_VARIANT, {"variant": found.variant_id})
        hold = await self._get(hold_id)  # as it is now that its stock row is ours
        if hold is None:
            raise NotFoundError
        if hold.state is not HoldState.ACTIVE:
            return await self.hold(
                hold.variant_id, quantity, reference=hold.reference, expires_at=expires_at, now=now
            )
        if quantity > hold.quantity:
            await self._take(hold.variant_id, quantity - hold.quantity, now, keep=hold)
        elif quantity < hold.quantity:
            await self._give_back({hold.variant_id: hold.quantity - quantity})
        params = {"hold": hold.id, "new_quantity": quantity, "new_expires_at": expires_at}
        await self._execute(_RESIZE, params)
        return Hold(
            id=hold.id,
            variant_id=hold.variant_id,
            quantity=quantity,
            reference=hold.reference,
            state=HoldState.ACTIVE,
            expires_at=expires_at,
        )

    async def renew(self, hold_ids: Collection[int], *, expires_at: datetime, now: datetime) -> None:
        ids = _ids(hold_ids)
        if not ids:
            return
        await self._execute(_RENEW, {"hold_ids": ids, "now": now, "new_expires_at": expires_at})

    async def _end_owned(
        self, hold_ids: Collection[int], state: HoldState
    ) -> tuple[list[Row[Any]], dict[int, int]]:
        """Lock the stock rows of the active holds among `hold_ids`, then end those holds: the
        `(id, variant_id, quantity)` of each ended hold, and the stock row ids by variant."""
        ids = _ids(hold_ids)
        if not ids:
            return [], {}
        stock_ids = dict((await self._execute(_LOCK_STOCK_OF_HOLDS, {"hold_ids": ids})).all())
        if not stock_ids:
            return [], {}
        return sorted((await self._execute(_END_OWNED[state], {"hold_ids": ids})).all()), stock_ids

    async def release(self, hold_ids: Collection[int]) -> None:
        if self._postgres:
            ids = _ids(hold_ids)
            if ids and (await self._execute(_LOCK_STOCK_OF_HOLDS, {"hold_ids": ids})).all():
                await self._execute(_RELEASE_OWNED, {"hold_ids": ids})
            return
        ended, _ = await self._end_owned(hold_ids, HoldState.RELEASED)
        await self._give_back(_sums((variant_id, quantity) for _, variant_id, quantity in ended))

    async def lock(self, variant_ids: Collection[int]) -> None:
        ids = _ids(variant_ids)
        if ids:
            await self._lock_stock(ids)

    async def convert(self, hold_ids: Collection[int], *, reference: str) -> int:
        ended, stock_ids = await self._end_owned(hold_ids, HoldState.CONVERTED)
        if not ended:
            return 0
        await self._give_back(_sums((variant_id, quantity) for _, variant_id, quantity in ended), sold=True)
        movements = [
            {
                "stock_item_id": stock_ids[variant_id],
                "movement_type": MovementType.OUT.value,
                "quantity": -quantity,
                "reason": CHECKOUT_REASON,
                "reference": reference,
            }
            for _, variant_id, quantity in ended
        ]
        await self._execute(_INSERT_MOVEMENTS, movements)
        return len(ended)

    async def holds(self, hold_ids: Collection[int]) -> Mapping[int, Hold]:
        ids = _ids(hold_ids)
        if not ids:
            return {}
        rows = (await self._execute(_HOLDS_BY_ID, {"hold_ids": ids})).all()
        return {row.id: _hold(row) for row in rows}

    async def expire(self, now: datetime, limit: int) -> int:
        if limit <= 0:
            return 0
        lapsed = (HOLDS.c.state == _ACTIVE, HOLDS.c.expires_at <= now)
        oldest = (
            select(HOLDS.c.id, HOLDS.c.variant_id)
            .where(*lapsed)
            .order_by(HOLDS.c.expires_at, HOLDS.c.id)
            .limit(limit)
        )
        candidates = (await self._execute(oldest)).all()
        if not candidates:
            return 0
        await self._lock_stock({variant_id for _, variant_id in candidates})
        chosen = select(HOLDS.c.id).where(HOLDS.c.id.in_([hold_id for hold_id, _ in candidates]), *lapsed)
        released = list((await self._execute(_end_statement(chosen, HoldState.RELEASED))).all())
        await self._give_back(_sums(released))
        return len(released)

    async def available(self, variant_ids: Collection[int], now: datetime) -> Mapping[int, int]:
        found = dict.fromkeys(variant_ids, 0)
        ids = _ids(found)
        if not ids:
            return found
        lapsed = (
            select(func.coalesce(func.sum(HOLDS.c.quantity), 0))
            .where(
                HOLDS.c.variant_id == STOCK.c.variant_id,
                HOLDS.c.state == _ACTIVE,
                HOLDS.c.expires_at <= now,
            )
            .scalar_subquery()
        )
        statement = select(STOCK.c.variant_id, STOCK.c.on_hand - STOCK.c.reserved + lapsed).where(
            STOCK.c.variant_id.in_(ids)
        )
        found.update((variant_id, int(free)) for variant_id, free in (await self._execute(statement)).all())
        return found
