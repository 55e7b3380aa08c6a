"""One contract for `OrderRepository`, run on the fake and on SQL (both engines), plus what only a
database can show: the order row lock."""

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.orders import SqlAlchemyOrderRepository
from avthrift.adapters.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from avthrift.adapters.sqlalchemy.rows.catalog import ProductRow, VariantRow
from avthrift.adapters.sqlalchemy.rows.orders import OrderRow
from avthrift.domain.identity.model import NewUser
from avthrift.domain.orders.model import (
    NewOrder,
    NewOrderLine,
    Order,
    OrderQuery,
    OrderStatus,
    Totals,
    order_number,
)
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.shared.pagination import InvalidPageError, PageRequest
from tests.conftest import migrated_database
from tests.fakes import FakeOrderRepository, FixedClock

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


@dataclass
class Orders:
    repo: OrderRepository
    new_user: Callable[[], Awaitable[int]]
    new_variant: Callable[[], Awaitable[int]]
    backdate: Callable[[int, datetime], Awaitable[None]]

    async def place(
        self, user_id: int, *quantities: int, created_at: datetime = NOW, shipping: str = "0.00"
    ) -> Order:
        new_lines = []
        for number, quantity in enumerate(quantities or (1,), start=1):
            new_lines.append(
                NewOrderLine(
                    variant_id=await self.new_variant(),
                    product_title=f"Coat {number}",
                    variant_sku=f"COAT-{number}",
                    quantity=quantity,
                    unit_price=Decimal("12.50"),
                )
            )
        lines = tuple(new_lines)
        totals = Totals(subtotal=Totals.of(lines).subtotal, shipping=Decimal(shipping))
        order = await self.repo.add(
            NewOrder(user_id=user_id, email=f"user{user_id}@example.com", lines=lines, totals=totals)
        )
        await self.backdate(order.id, created_at)
        return dataclasses.replace(order, created_at=created_at)


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def store_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    if request.param == "fake":
        yield None
        return
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def orders(store_database: str | None) -> AsyncIterator[Orders]:
    numbers = itertools.count(1)
    if store_database is None:
        fake = FakeOrderRepository(FixedClock(NOW))

        async def new_fake_id() -> int:
            return next(numbers)

        async def fake_backdate(order_id: int, created_at: datetime) -> None:
            fake.orders[order_id] = dataclasses.replace(fake.orders[order_id], created_at=created_at)

        yield Orders(fake, new_fake_id, new_fake_id, fake_backdate)
        return
    engine = create_engine(store_database)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        users = SqlAlchemyUserRepository(session)
        product = await session.scalar(
            insert(ProductRow).values(title="Coat", slug="coat").returning(ProductRow.id)
        )

        async def new_user() -> int:
            number = next(numbers)
            user = await users.add(
                NewUser(
                    username=f"buyer{number}",
                    email=f"buyer{number}@example.com",
                    password_hash="h",
                    date_joined=NOW,
                )
            )
            return user.id

        async def new_variant() -> int:
            variant: int | None = await session.scalar(
                insert(VariantRow)
                .values(
                    product_id=product, sku=f"COAT-{next(numbers)}", price=Decimal("12.50"), status="active"
                )
                .returning(VariantRow.id)
            )
            assert variant is not None
            return variant

        async def backdate(order_id: int, created_at: datetime) -> None:
            await session.execute(
                update(OrderRow).where(OrderRow.id == order_id).values(created_at=created_at)
            )

        yield Orders(SqlAlchemyOrderRepository(session), new_user, new_variant, backdate)
        await session.rollback()
    await engine.dispose()


async def test_an_added_order_is_pending_numbered_and_read_back(orders: Orders) -> None:
    ann = await orders.new_user()
    order = await orders.place(ann, 2, 1, shipping="3.00")
    assert order.status is OrderStatus.PENDING
    assert order.number == order_number(order.id)
    assert (order.paid_at, order.cancelled_at) == (None, None)
    assert order.totals == Totals(subtotal=Decimal("37.50"), shipping=Decimal("3.00"))
    assert order.totals.total == Decimal("40.50")
    assert [(line.product_title, line.quantity, line.line_total) for line in order.lines] == [
        ("Coat 1", 2, Decimal("25.00")),
        ("Coat 2", 1, Decimal("12.50")),
    ]
    assert len({line.id for line in order.lines}) == 2
    assert order.lines[0].id < order.lines[1].id

    stored = await orders.repo.get(order.id)
    assert stored == order
    assert await orders.repo.get(order.id, user_id=ann) == order
    assert await orders.repo.get(order.id, lock=True) == order
    assert await orders.repo.get(order.id, user_id=ann, lock=True) == order


async def test_other_users_and_unusable_ids_read_as_none(orders: Orders) -> None:
    ann, bob = await orders.new_user(), await orders.new_user()
    order = await orders.place(ann)
    assert await orders.repo.get(order.id, user_id=bob) is None
    assert await orders.repo.get(order.id, user_id=bob, lock=True) is None
    for order_id in (order.id + 1000, 0, -1, 2**63, 2**80):
        assert await orders.repo.get(order_id) is None
    assert await orders.repo.get(order.id, user_id=2**80) is None


async def test_set_status_stamps_the_move(orders: Orders) -> None:
    ann = await orders.new_user()
    paid, cancelled = await orders.place(ann), await orders.place(ann)
    await orders.repo.set_status(paid.id, OrderStatus.PAID, now=NOW + timedelta(minutes=5))
    await orders.repo.set_status(cancelled.id, OrderStatus.CANCELLED, now=NOW + timedelta(minutes=7))
    assert await orders.repo.get(paid.id) == paid.moved(OrderStatus.PAID, NOW + timedelta(minutes=5))
    stored = await orders.repo.get(cancelled.id)
    assert stored is not None
    assert (stored.status, stored.paid_at, stored.cancelled_at) == (
        OrderStatus.CANCELLED,
        None,
        NOW + timedelta(minutes=7),
    )


async def test_search_filters_and_pages_the_users_orders(orders: Orders) -> None:
    ann, bob = await orders.new_user(), await orders.new_user()
    first = await orders.place(ann, created_at=NOW - timedelta(days=2))
    second = await orders.place(ann, 3, created_at=NOW - timedelta(days=1))
    await orders.place(bob, created_at=NOW - timedelta(days=1))
    third = await orders.place(ann, created_at=NOW)
    await orders.repo.set_status(first.id, OrderStatus.PAID, now=NOW)

    async def ids(**criteria: object) -> list[int]:
        page = await orders.repo.search(OrderQuery(user_id=ann, **criteria))  # type: ignore[arg-type]
        return [order.id for order in page.items]

    assert await ids() == [third.id, second.id, first.id]
    assert await ids(status=OrderStatus.PAID) == [first.id]
    assert await ids(status=OrderStatus.CANCELLED) == []
    assert await ids(number=second.number) == [second.id]
    assert await ids(number="ORD-424242") == []
    # `start` and `end` are inclusive.
    assert await ids(start=second.created_at) == [third.id, second.id]
    assert await ids(end=second.created_at) == [second.id, first.id]
    assert await ids(start=second.created_at + timedelta(microseconds=1), end=NOW) == [third.id]
    assert await ids(start=NOW + timedelta(seconds=1)) == []

    found = await orders.repo.search(OrderQuery(user_id=ann, page=PageRequest(number=2, size=2)))
    assert [order.id for order in found.items] == [first.id]
    assert (found.total, found.has_previous, found.has_next) == (3, True, False)
    assert found.items[0].status is OrderStatus.PAID
    [listed] = (await orders.repo.search(OrderQuery(user_id=ann, number=second.number))).items
    assert listed == await orders.repo.get(second.id)
    with pytest.raises(InvalidPageError):
        await orders.repo.search(OrderQuery(user_id=ann, page=PageRequest(number=3, size=2)))
    empty = await orders.repo.search(OrderQuery(user_id=await orders.new_user()))
    assert (empty.items, empty.total) == ((), 0)


async def test_pending_before_lists_old_pending_orders_oldest_first(orders: Orders) -> None:
    ann = await orders.new_user()
    oldest = await orders.place(ann, created_at=NOW - timedelta(hours=5))
    old = await orders.place(ann, created_at=NOW - timedelta(hours=3))
    paid = await orders.place(ann, created_at=NOW - timedelta(hours=6))
    cancelled = await orders.place(ann, created_at=NOW - timedelta(hours=6))
    await orders.place(ann, created_at=NOW - timedelta(minutes=30))
    await orders.repo.set_status(paid.id, OrderStatus.PAID, now=NOW)
    await orders.repo.set_status(cancelled.id, OrderStatus.CANCELLED, now=NOW)

    cutoff = NOW - timedelta(hours=1)
    assert tuple(await orders.repo.pending_before(cutoff, limit=10)) == (oldest.id, old.id)
    assert tuple(await orders.repo.pending_before(cutoff, limit=1)) == (oldest.id,)
    assert tuple(await orders.repo.pending_before(old.created_at, limit=10)) == (oldest.id,)
    assert tuple(await orders.repo.pending_before(NOW - timedelta(days=1), limit=10)) == ()


# --- only a database can show this ---------------------------------------------------------------


@pytest.fixture(params=["postgres"])  # SQLite serialises whole writing transactions
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from migrated_database(request.param, request, tmp_path)


async def test_a_locked_order_waits_for_the_lock_holder(database: str) -> None:
    engine = create_engine(database)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as setup:
            user = await SqlAlchemyUserRepository(setup).add(
                NewUser(username="locker", email="locker@example.com", password_hash="h", date_joined=NOW)
            )
            product = await setup.scalar(
                insert(ProductRow).values(title="Coat", slug="coat").returning(ProductRow.id)
            )
            variant = await setup.scalar(
                insert(VariantRow)
                .values(product_id=product, sku="COAT", status="active")
                .returning(VariantRow.id)
            )
            assert variant is not None
            line = NewOrderLine(
                variant_id=variant,
                product_title="Coat",
                variant_sku="COAT",
                quantity=1,
                unit_price=Decimal("1.00"),
            )
            order = await SqlAlchemyOrderRepository(setup).add(
                NewOrder(user_id=user.id, email=user.email, lines=(line,), totals=Totals.of((line,)))
            )
            await setup.commit()
        async with sessions() as first, sessions() as second, sessions() as reader:
            assert await SqlAlchemyOrderRepository(first).get(order.id, lock=True) is not None
            waiting = asyncio.create_task(SqlAlchemyOrderRepository(second).get(order.id, lock=True))
            await asyncio.sleep(0.2)
            assert not waiting.done()
            unlocked = await asyncio.wait_for(SqlAlchemyOrderRepository(reader).get(order.id), 1)
            assert unlocked is not None  # a read without the lock does not wait
            await SqlAlchemyOrderRepository(first).set_status(order.id, OrderStatus.PAID, now=NOW)
            await first.commit()
            # The waiter reads the row as the lock holder left it.
            seen = await asyncio.wait_for(waiting, 5)
            assert seen is not None
            assert (seen.status, seen.paid_at) == (OrderStatus.PAID, NOW)
            await second.rollback()
    finally:
        await engine.dispose()
