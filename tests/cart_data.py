"""What the cart suites share: variants with stock recorded in the ledger, raw reads of the cart
and stock tables (on the test's own engine, never the app's), the ledger invariants as SQL, and an
app whose cart scopes are out of the way."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import insert, text, update

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.rows.inventory import StockItemRow, StockMovementRow, StockReservationRow
from avthrift.entrypoints.http.app import create_app
from tests.catalog_data import catalog_builder
from tests.conftest import NewAccount, SettingsFactory, bearer, register, relaxed_rates, sign_in

CART = "/api/v1/cart"
GUEST = "/api/v1/cart/guest"
ADMIN = "/api/v1/admin/carts"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
CART_RATES = relaxed_rates(cart="100000/min", cart_write="100000/min")

# on_hand == Σ movements and reserved == Σ active holds, per stock row (contract §6).
LEDGER_MISMATCHES = """
SELECT s.variant_id FROM stock_items s
WHERE s.on_hand <> COALESCE((SELECT SUM(m.quantity) FROM stock_movements m WHERE m.stock_item_id = s.id), 0)
   OR s.reserved <> COALESCE((SELECT SUM(r.quantity) FROM stock_reservations r
                              WHERE r.variant_id = s.variant_id AND r.state = 'active'), 0)
   OR s.reserved < 0 OR s.reserved > s.on_hand
"""


def cart_app(settings_factory: SettingsFactory, **overrides: str) -> Litestar:
    return create_app(settings_factory(THROTTLE_RATES=CART_RATES, **overrides))


def session_id() -> str:
    """A fresh guest session id (a UUIDv4's 32 hex digits)."""
    return uuid.uuid4().hex


async def stocked_variant(
    database_url: str,
    on_hand: int,
    *,
    price: str | None = "10.00",
    title: str = "Thrift item",
    product_status: str = "published",
    variant_status: str = "active",
) -> int:
    """A new product with one variant and `on_hand` units recorded as an opening movement; returns
    the variant id."""
    async with catalog_builder(database_url) as build:
        tag = uuid.uuid4().hex[:12]
        product = await build.product(title, slug=f"item-{tag}", status=product_status)
        variant = await build.variant(product, sku=f"SKU-{tag}", price=price, status=variant_status)
        async with build.engine.begin() as connection:
            stock_id = (
                await connection.execute(
                    insert(StockItemRow)
                    .values(variant_id=variant, on_hand=on_hand, reserved=0)
                    .returning(StockItemRow.id)
                )
            ).scalar_one()
            if on_hand:
                await connection.execute(
                    insert(StockMovementRow).values(
                        stock_item_id=stock_id,
                        movement_type="in",
                        quantity=on_hand,
                        reason="Opening stock",
                        reference="",
                    )
                )
    return variant


async def fetch(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of one query on the test database, outside the app."""
    engine = create_engine(database_url, use_pool=False)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params)]
    finally:
        await engine.dispose()


async def execute(database_url: str, statement: Any) -> None:
    """One Core statement on the test database, outside the app (column types apply)."""
    engine = create_engine(database_url, use_pool=False)
    try:
        async with engine.begin() as connection:
            await connection.execute(statement)
    finally:
        await engine.dispose()


async def lapse_holds(database_url: str, variant_id: int) -> None:
    """Make the variant's holds lapse (as if their expiry had passed)."""
    await execute(
        database_url,
        update(StockReservationRow)
        .where(StockReservationRow.variant_id == variant_id)
        .values(expires_at=LONG_AGO),
    )


async def ledger_mismatches(database_url: str) -> list[tuple[Any, ...]]:
    return await fetch(database_url, LEDGER_MISMATCHES)


async def assert_ledger_consistent(database_url: str) -> None:
    assert await ledger_mismatches(database_url) == []


async def reservations(database_url: str) -> list[tuple[Any, ...]]:
    """Every hold: (id, variant, quantity, reference, state)."""
    return await fetch(
        database_url, "SELECT id, variant_id, quantity, reference, state FROM stock_reservations ORDER BY id"
    )


async def stock_of(database_url: str, variant_id: int) -> tuple[int, int]:
    """(on_hand, reserved) of a variant."""
    [row] = await fetch(
        database_url, "SELECT on_hand, reserved FROM stock_items WHERE variant_id = :v", v=variant_id
    )
    return row[0], row[1]


async def carts(database_url: str) -> list[tuple[Any, ...]]:
    """Every cart: (id, user_id, session_id, status, lines_changed_at)."""
    return await fetch(
        database_url, "SELECT id, user_id, session_id, status, lines_changed_at FROM carts ORDER BY id"
    )


async def cart_items(database_url: str) -> list[tuple[Any, ...]]:
    """Every cart line: (id, cart, variant, quantity, unit price, hold)."""
    rows = await fetch(
        database_url,
        "SELECT id, cart_id, variant_id, quantity, unit_price, reservation_id FROM cart_items ORDER BY id",
    )
    return [(*row[:4], Decimal(str(row[4])).quantize(Decimal("0.01")), row[5]) for row in rows]


async def state_of(database_url: str) -> tuple[object, ...]:
    """Everything a refused cart change must leave as it was."""
    return (
        await carts(database_url),
        await cart_items(database_url),
        await reservations(database_url),
        await fetch(
            database_url, "SELECT variant_id, on_hand, reserved FROM stock_items ORDER BY variant_id"
        ),
    )


@dataclass(frozen=True)
class Shopper:
    id: int
    headers: dict[str, str]


async def shopper(client: AsyncTestClient[Litestar]) -> Shopper:
    """A new signed-in user."""
    account = NewAccount.unique()
    user = await register(client, account)
    return Shopper(id=user["id"], headers=bearer((await sign_in(client, account.email))["access"]))
