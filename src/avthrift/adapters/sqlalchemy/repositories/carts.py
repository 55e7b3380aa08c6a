"""Carts and their lines with Core statements (architecture rule 6).

Fetch-or-create is `INSERT … ON CONFLICT DO NOTHING` against the partial unique index of the owner
(one active cart per user, per session) followed by a select, so two simultaneous first requests
share one cart and neither fails (reference §7.2 #8). The cart row is locked with `FOR UPDATE` on
PostgreSQL; on SQLite every writing transaction starts with `BEGIN IMMEDIATE`, which already
serialises them (`with_for_update()` compiles to nothing there).
"""

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import (
    ColumnElement,
    Executable,
    Insert,
    Integer,
    Row,
    RowMapping,
    Select,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.pagination import fetch_page
from avthrift.adapters.sqlalchemy.rows.carts import CartItemRow, CartRow
from avthrift.adapters.sqlalchemy.rows.catalog import ProductRow, VariantRow
from avthrift.domain.cart.model import (
    Cart,
    CartLine,
    CartOwner,
    CartQuery,
    CartStatus,
    CartSummary,
    CartVariant,
)
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.catalog.model import ProductStatus, VariantStatus
from avthrift.domain.shared.errors import ConflictError
from avthrift.domain.shared.ids import usable_id
from avthrift.domain.shared.money import to_money
from avthrift.domain.shared.pagination import Page

CARTS: Final = cast(Table, CartRow.__table__)
LINES: Final = cast(Table, CartItemRow.__table__)
_ACTIVE: Final = CartStatus.ACTIVE.value
# The partial unique indexes' predicate, as a literal: PostgreSQL infers the arbiter index at plan
# time, and a generic plan (a prepared statement run often) cannot prove `status = $n` implies it.
_ACTIVE_INDEX_PREDICATE: Final = text("status = 'active'")
# Fetch-or-create loses at most one race per attempt: a concurrent insert, or an abandonment
# between the insert and the locking select.
_ATTEMPTS: Final = 3

_CART_COLUMNS: Final = (
    CartRow.id,
    CartRow.user_id,
    CartRow.session_id,
    CartRow.status,
    CartRow.lines_changed_at,
    CartRow.created_at,
)
_LINE_COLUMNS: Final = (
    CartItemRow.id,
    CartItemRow.cart_id,
    CartItemRow.variant_id,
    CartItemRow.quantity,
    CartItemRow.unit_price,
    CartItemRow.reservation_id,
    ProductRow.title,
    VariantRow.sku,
)


def _lines_where(condition: ColumnElement[bool]) -> Select[Any]:
    return (
        select(*_LINE_COLUMNS)
        .join(VariantRow, VariantRow.id == CartItemRow.variant_id)
        .join(ProductRow, ProductRow.id == VariantRow.product_id)
        .where(condition)
        .order_by(CartItemRow.id)
    )


def _locked(statement: Select[Any]) -> Select[Any]:
    return statement.with_for_update(of=CartRow)


def _insert_active(dialect: Any, owner_column: str) -> Insert:
    """`INSERT … ON CONFLICT DO NOTHING` of an active cart against the owner's partial unique index."""
    statement: Insert = (
        dialect.insert(CARTS)
        .values(
            user_id=bindparam("user_id"),
            session_id=bindparam("session_id"),
            status=_ACTIVE,
            lines_changed_at=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=[CARTS.c[owner_column]], index_where=_ACTIVE_INDEX_PREDICATE)
    )
    return statement


# Statements of the write path are built once, with bound parameters, and run as Core on the
# session's connection: building one and the ORM execution path cost more than running it. Bound
# parameters of an UPDATE never take a column's name (Core would read it as a SET value).
_USER_CART: Final = select(*_CART_COLUMNS).where(
    CartRow.user_id == bindparam("user_id"), CartRow.status == _ACTIVE
)
_GUEST_CART: Final = select(*_CART_COLUMNS).where(
    CartRow.session_id == bindparam("session_id"), CartRow.status == _ACTIVE
)
_CART_BY_ID: Final = select(*_CART_COLUMNS).where(CartRow.id == bindparam("cart_id"))
_CARTS: Final = {  # by `lock`: a user's active cart, a guest's, a cart by id
    False: (_USER_CART, _GUEST_CART, _CART_BY_ID),
    True: (_locked(_USER_CART), _locked(_GUEST_CART), _locked(_CART_BY_ID)),
}
_CART_LINES: Final = _lines_where(CartItemRow.cart_id == bindparam("cart_id"))
_LINES_OF_CARTS: Final = _lines_where(CartItemRow.cart_id.in_(bindparam("cart_ids", expanding=True)))
_INSERT_ACTIVE: Final = {
    (name, column): _insert_active(dialect, column)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
    for column in ("user_id", "session_id")
}
_VARIANTS: Final = (
    select(
        VariantRow.id,
        VariantRow.price,
        VariantRow.sku,
        VariantRow.status,
        ProductRow.title,
        ProductRow.status.label("product_status"),
    )
    .join(ProductRow, ProductRow.id == VariantRow.product_id)
    .where(VariantRow.id.in_(bindparam("variant_ids", expanding=True)))
)
_ADD_LINE: Final = (
    insert(LINES)
    .values(
        cart_id=bindparam("cart_id"),
        variant_id=bindparam("variant_id"),
        quantity=bindparam("quantity"),
        unit_price=bindparam("unit_price"),
        reservation_id=bindparam("reservation_id"),
    )
    .returning(LINES.c.id)
)
_UPDATE_LINE: Final = (
    update(LINES)
    .where(LINES.c.id == bindparam("line_key"), LINES.c.cart_id == bindparam("cart_key"))
    .values(
        quantity=bindparam("new_quantity"),
        unit_price=bindparam("new_unit_price"),
        reservation_id=bindparam("new_reservation_id"),
    )
)
_DELETE_LINES: Final = delete(LINES).where(
    LINES.c.cart_id == bindparam("cart_key"), LINES.c.id.in_(bindparam("line_keys", expanding=True))
)
_MARK: Final = (
    update(CARTS).where(CARTS.c.id == bindparam("cart_key")).values(lines_changed_at=bindparam("changed_at"))
)
_MARK_STATUS: Final = _MARK.values(status=bindparam("new_status"))
_DELETE_CART: Final = delete(CARTS).where(CARTS.c.id == bindparam("cart_key"))
_STALE: Final = (
    select(CartRow.id)
    .where(
        CartRow.status == _ACTIVE,
        CartRow.lines_changed_at < bindparam("changed_before"),
        CartRow.id > bindparam("after_id"),
    )
    .order_by(CartRow.id)
    .limit(bindparam("limit", type_=Integer))
)


def _valid_id(value: int) -> bool:
    return usable_id(value)


def _owner(mapping: Mapping[str, Any] | RowMapping) -> CartOwner:
    if mapping["user_id"] is not None:
        return CartOwner.user(mapping["user_id"])
    return CartOwner.guest(mapping["session_id"])


def _line(row: Row[Any]) -> CartLine:
    mapping = row._mapping
    return CartLine(
        id=mapping["id"],
        variant_id=mapping["variant_id"],
        quantity=mapping["quantity"],
        unit_price=to_money(Decimal(mapping["unit_price"])),
        reservation_id=mapping["reservation_id"],
        product_title=mapping["title"],
        variant_sku=mapping["sku"],
    )


class SqlAlchemyCartRepository(CartRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _connection(self) -> AsyncConnection:
        with translate_errors():
            return await self._session.connection()

    async def _execute(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Any:
        """Run `statement` as Core on the session's connection (in the session's transaction)."""
        connection = await self._connection()
        with translate_errors():
            return await connection.execute(statement, params)

    async def _load(self, statement: Select[Any], params: Mapping[str, Any]) -> Cart | None:
        row = (await self._execute(statement, params)).one_or_none()
        if row is None:
            return None
        mapping = row._mapping
        lines = (await self._execute(_CART_LINES, {"cart_id": mapping["id"]})).all()
        return Cart(
            id=mapping["id"],
            owner=_owner(mapping),
            status=CartStatus(mapping["status"]),
            lines=tuple(_line(line) for line in lines),
            lines_changed_at=mapping["lines_changed_at"],
            created_at=mapping["created_at"],
        )

    async def _active(self, owner: CartOwner, lock: bool) -> Cart | None:
        user, guest, _ = _CARTS[lock]
        if owner.user_id is not None:
            return await self._load(user, {"user_id": owner.user_id})
        return await self._load(guest, {"session_id": owner.session_id})

    async def _insert_active(self, owner: CartOwner, now: datetime) -> None:
        connection = await self._connection()
        dialect = "postgresql" if connection.dialect.name == "postgresql" else "sqlite"
        column = "user_id" if owner.user_id is not None else "session_id"
        params = {"user_id": owner.user_id, "session_id": owner.session_id, "now": now}
        with translate_errors():
            await connection.execute(_INSERT_ACTIVE[dialect, column], params)

    async def active(self, owner: CartOwner, *, lock: bool = True) -> Cart | None:
        if owner.user_id is not None and not _valid_id(owner.user_id):
            return None
        return await self._active(owner, lock)

    async def fetch_or_create(self, owner: CartOwner, *, now: datetime, lock: bool = True) -> Cart:
        if owner.user_id is not None and not _valid_id(owner.user_id):
            raise ConflictError("The change conflicts with existing data.")
        for _ in range(_ATTEMPTS):
            cart = await self._active(owner, lock)
            if cart is not None:
                return cart
            await self._insert_active(owner, now)
        raise ConflictError("The cart changed concurrently; try again.")

    async def get(self, cart_id: int, *, lock: bool = False) -> Cart | None:
        if not _valid_id(cart_id):
            return None
        return await self._load(_CARTS[lock][2], {"cart_id": cart_id})

    async def variants(self, variant_ids: Collection[int]) -> Mapping[int, CartVariant]:
        wanted = [variant_id for variant_id in variant_ids if _valid_id(variant_id)]
        if not wanted:
            return {}
        rows = (await self._execute(_VARIANTS, {"variant_ids": wanted})).all()
        return {
            row.id: CartVariant(
                id=row.id,
                price=None if row.price is None else Decimal(row.price),
                sellable=row.status == VariantStatus.ACTIVE and row.product_status == ProductStatus.PUBLISHED,
                product_title=row.title,
                sku=row.sku,
            )
            for row in rows
        }

    async def add_line(
        self,
        cart_id: int,
        variant: CartVariant,
        quantity: int,
        unit_price: Decimal,
        reservation_id: int | None,
    ) -> CartLine:
        params = {
            "cart_id": cart_id,
            "variant_id": variant.id,
            "quantity": quantity,
            "unit_price": unit_price,
            "reservation_id": reservation_id,
        }
        line_id: int = (await self._execute(_ADD_LINE, params)).scalar_one()
        return CartLine(
            id=line_id,
            variant_id=variant.id,
            quantity=quantity,
            unit_price=unit_price,
            reservation_id=reservation_id,
            product_title=variant.product_title,
            variant_sku=variant.sku,
        )

    async def update_line(self, cart_id: int, line: CartLine) -> None:
        params = {
            "line_key": line.id,
            "cart_key": cart_id,
            "new_quantity": line.quantity,
            "new_unit_price": line.unit_price,
            "new_reservation_id": line.reservation_id,
        }
        await self._execute(_UPDATE_LINE, params)

    async def delete_lines(self, cart_id: int, line_ids: Collection[int]) -> None:
        if line_ids:
            await self._execute(_DELETE_LINES, {"cart_key": cart_id, "line_keys": list(line_ids)})

    async def mark(
        self, cart_id: int, *, lines_changed_at: datetime, status: CartStatus | None = None
    ) -> None:
        if status is None:
            await self._execute(_MARK, {"cart_key": cart_id, "changed_at": lines_changed_at})
        else:
            params = {"cart_key": cart_id, "changed_at": lines_changed_at, "new_status": status.value}
            await self._execute(_MARK_STATUS, params)

    async def delete(self, cart_id: int) -> None:
        await self._execute(_DELETE_CART, {"cart_key": cart_id})

    async def search(self, query: CartQuery) -> Page[CartSummary]:
        conditions: list[ColumnElement[bool]] = []
        if query.status is not None:
            conditions.append(CartRow.status == query.status.value)
        if query.user_id is not None:
            conditions.append(
                CartRow.user_id == query.user_id if _valid_id(query.user_id) else CartRow.id < 0
            )
        statement = select(*_CART_COLUMNS).where(*conditions).order_by(CartRow.id.desc())
        page = await fetch_page(self._session, statement, query.page, lambda row: row._mapping)
        lines: dict[int, list[CartLine]] = defaultdict(list)
        if page.items:
            cart_ids = [item["id"] for item in page.items]
            for row in (await self._execute(_LINES_OF_CARTS, {"cart_ids": cart_ids})).all():
                lines[row.cart_id].append(_line(row))
        return page.map(
            lambda item: CartSummary(
                id=item["id"],
                owner=_owner(item),
                status=CartStatus(item["status"]),
                line_count=len(lines[item["id"]]),
                item_count=sum(line.quantity for line in lines[item["id"]]),
                subtotal=to_money(sum((line.line_total for line in lines[item["id"]]), Decimal(0))),
                lines_changed_at=item["lines_changed_at"],
                created_at=item["created_at"],
            )
        )

    async def stale(self, changed_before: datetime, *, after_id: int = 0, limit: int) -> tuple[int, ...]:
        params = {"changed_before": changed_before, "after_id": after_id, "limit": limit}
        return tuple((await self._execute(_STALE, params)).scalars().all())
