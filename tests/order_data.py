"""Orders for tests, placed straight through `SqlAlchemyOrderRepository` on the test's own engine, as
checkout would leave them: the order and its lines, and its units sold (a hold taken and converted,
so `on_hand` dropped with an `out` movement referencing `order:<id>`). Plus raw reads of what orders
change."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.orders import SqlAlchemyOrderRepository
from avthrift.adapters.sqlalchemy.repositories.stock import SqlAlchemyStockReserver
from avthrift.adapters.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from avthrift.adapters.sqlalchemy.rows.orders import OrderRow
from avthrift.domain.identity.model import NewUser
from avthrift.domain.orders.model import NewOrder, NewOrderLine, Totals, order_reference
from tests.cart_data import fetch

ORDERS = "/api/v1/orders"
ADMIN_ORDERS = "/api/v1/admin/orders"
WEBHOOK = "/api/v1/orders/webhooks/payment/"
ORDER_RATES = "orders=100000/min,orders_write=100000/min,cart=100000/min,cart_write=100000/min"


async def new_buyer(database_url: str) -> int:
    """A user stored directly (no sign-in needed); returns the id."""
    tag = uuid.uuid4().hex[:10]
    engine = create_engine(database_url, use_pool=False)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            user = await SqlAlchemyUserRepository(session).add(
                NewUser(
                    username=f"buyer_{tag}",
                    email=f"buyer.{tag}@example.com",
                    password_hash="unusable",
                    date_joined=datetime.now(UTC),
                )
            )
            await session.commit()
            return user.id
    finally:
        await engine.dispose()


async def place_order(
    database_url: str,
    user_id: int,
    lines: Sequence[tuple[int, int]],
    *,
    created_at: datetime | None = None,
    status: str | None = None,
    shipping: str = "0.00",
) -> int:
    """A pending order of `(variant id, quantity)` lines for the user, at the variants' prices, with
    its units sold; `created_at` back-dates it, `status` moves it (`paid`, `cancelled`) without any
    stock change. Returns its id."""
    now = datetime.now(UTC)
    engine = create_engine(database_url, use_pool=False)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            users = await session.execute(text("SELECT email FROM users WHERE id = :u"), {"u": user_id})
            [(email,)] = users.all()
            new_lines = []
            for variant_id, quantity in lines:
                [(title, sku, price)] = (
                    await session.execute(
                        text(
                            "SELECT p.title, v.sku, v.price FROM product_variants v "
                            "JOIN products p ON p.id = v.product_id WHERE v.id = :v"
                        ),
                        {"v": variant_id},
                    )
                ).all()
                new_lines.append(
                    NewOrderLine(
                        variant_id=variant_id,
                        product_title=title,
                        variant_sku=sku,
                        quantity=quantity,
                        unit_price=Decimal(str(price)).quantize(Decimal("0.01")),
                    )
                )
            subtotal = Totals.of(tuple(new_lines)).subtotal
            totals = Totals(subtotal=subtotal, shipping=Decimal(shipping))
            order = await SqlAlchemyOrderRepository(session).add(
                NewOrder(user_id=user_id, email=email, lines=tuple(new_lines), totals=totals)
            )
            reserver = SqlAlchemyStockReserver(session)
            holds = [
                (
                    await reserver.hold(
                        variant_id, quantity, reference="test", expires_at=now + timedelta(minutes=5), now=now
                    )
                ).id
                for variant_id, quantity in sorted(lines)
            ]
            assert await reserver.convert(holds, reference=order_reference(order.id)) == len(holds)
            values: dict[str, Any] = {}
            if created_at is not None:
                values["created_at"] = created_at
            if status is not None:
                values["status"] = status
                values[f"{status}_at"] = now
            if values:
                await session.execute(update(OrderRow).where(OrderRow.id == order.id).values(**values))
            await session.commit()
            return order.id
    finally:
        await engine.dispose()


async def order_statuses(database_url: str) -> dict[int, str]:
    return dict(await fetch(database_url, "SELECT id, status FROM orders ORDER BY id"))


async def movements_of(database_url: str, reference: str) -> list[tuple[Any, ...]]:
    """(variant, type, quantity, reason) of the movements with this reference, in id order."""
    return await fetch(
        database_url,
        "SELECT s.variant_id, m.movement_type, m.quantity, m.reason FROM stock_movements m "
        "JOIN stock_items s ON s.id = m.stock_item_id WHERE m.reference = :r ORDER BY m.id",
        r=reference,
    )
