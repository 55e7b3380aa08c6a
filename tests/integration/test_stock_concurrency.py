"""Holds taken at the same time on PostgreSQL, each on its own connection: never more than the
stock, never a deadlock, and the ledger consistent afterwards."""

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.stock import HOLDS, STOCK, SqlAlchemyStockReserver
from avthrift.adapters.sqlalchemy.repositories.stock_ledger import SqlAlchemyStockLedger
from avthrift.domain.inventory.errors import InsufficientStockError
from avthrift.domain.inventory.model import Hold, HoldState
from tests.catalog_data import catalog_builder
from tests.conftest import migrated_database

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
TTL = timedelta(minutes=30)


@dataclass
class Shop:
    engine: AsyncEngine
    new_stock: Callable[[int], Awaitable[int]]  # a variant with this many units on hand

    async def in_transaction[T](self, work: Callable[[SqlAlchemyStockReserver], Awaitable[T]]) -> T | None:
        """Run `work` in a transaction of its own: committed, or rolled back (and `None`) when
        stock is short."""
        async with AsyncSession(self.engine) as session:
            try:
                result = await work(SqlAlchemyStockReserver(session))
            except InsufficientStockError:
                await session.rollback()
                return None
            await session.commit()
            return result

    async def rows(self) -> dict[int, tuple[int, int]]:
        async with self.engine.connect() as connection:
            found = await connection.execute(select(STOCK.c.variant_id, STOCK.c.on_hand, STOCK.c.reserved))
            return {variant_id: (on_hand, reserved) for variant_id, on_hand, reserved in found}

    async def assert_consistent(self) -> None:
        async with AsyncSession(self.engine) as session:
            assert await SqlAlchemyStockLedger(session).mismatches() == ()
        for on_hand, reserved in (await self.rows()).values():
            assert on_hand >= reserved >= 0


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from migrated_database("postgres", request, tmp_path)


@pytest.fixture
async def shop(postgres_url: str) -> AsyncIterator[Shop]:
    engine = create_engine(postgres_url, use_pool=False)  # one connection per task
    async with catalog_builder(postgres_url) as catalog:
        product = await catalog.product()

        async def new_stock(on_hand: int) -> int:
            variant_id = await catalog.variant(product)
            async with AsyncSession(engine) as session:
                await SqlAlchemyStockLedger(session).create_item(variant_id, on_hand, reason="Opening stock")
                await session.commit()
            return variant_id

        yield Shop(engine, new_stock)
    await engine.dispose()


def hold_one(variant_id: int, at: datetime = NOW) -> Callable[[SqlAlchemyStockReserver], Awaitable[Hold]]:
    async def work(reserver: SqlAlchemyStockReserver) -> Hold:
        return await reserver.hold(variant_id, 1, reference="cart:1", expires_at=at + TTL, now=at)

    return work


async def test_fifty_buyers_for_ten_units_get_exactly_ten(shop: Shop) -> None:
    variant = await shop.new_stock(10)
    results = await asyncio.gather(*(shop.in_transaction(hold_one(variant)) for _ in range(50)))
    assert sum(result is not None for result in results) == 10
    assert (await shop.rows())[variant] == (10, 10)
    await shop.assert_consistent()


@pytest.mark.parametrize("round_", range(4))
async def test_buyers_racing_over_lapsed_holds_reclaim_each_unit_once(shop: Shop, round_: int) -> None:
    variant = await shop.new_stock(10)
    past = NOW - timedelta(hours=1)
    lapsed = [await shop.in_transaction(hold_one(variant, at=past + timedelta(seconds=s))) for s in range(6)]
    holding = [await shop.in_transaction(hold_one(variant)) for _ in range(2)]
    assert None not in lapsed
    assert None not in holding
    results = await asyncio.gather(*(shop.in_transaction(hold_one(variant)) for _ in range(50)))
    assert sum(result is not None for result in results) == 8, f"round {round_}"
    assert (await shop.rows())[variant] == (10, 10)
    async with shop.engine.connect() as connection:
        holds = select(HOLDS.c.state, HOLDS.c.expires_at).where(HOLDS.c.variant_id == variant)
        states = (await connection.execute(holds)).all()
    assert len(states) == 6 + 2 + 8
    assert all((state == HoldState.RELEASED) == (expires_at <= NOW) for state, expires_at in states)
    await shop.assert_consistent()


async def test_overlapping_multi_variant_work_never_deadlocks(shop: Shop) -> None:
    """30 carts take holds on overlapping variants (chosen in random order, taken in ascending
    order), grow one, release or sell some, while sweeps run over lapsed holds."""
    variants = [await shop.new_stock(6) for _ in range(6)]
    past = NOW - timedelta(hours=1)
    for variant in variants:
        for _ in range(2):
            await shop.in_transaction(hold_one(variant, at=past))
    chooser = random.Random(5)

    async def cart(number: int) -> str:
        chosen = chooser.sample(variants, chooser.randint(2, 4))
        quantities = {variant: chooser.randint(1, 2) for variant in chosen}
        finish = chooser.choice(["release", "convert", "keep"])

        async def take(reserver: SqlAlchemyStockReserver) -> list[Hold]:
            holds = [
                await reserver.hold(
                    variant, quantity, reference=f"cart:{number}", expires_at=NOW + TTL, now=NOW
                )
                for variant, quantity in sorted(quantities.items())
            ]
            grown = await reserver.resize(holds[0].id, holds[0].quantity + 1, expires_at=NOW + TTL, now=NOW)
            await reserver.renew([hold.id for hold in holds], expires_at=NOW + 2 * TTL, now=NOW)
            return [grown, *holds[1:]]

        holds = await shop.in_transaction(take)
        if holds is None:
            return "insufficient"
        ids = [hold.id for hold in holds]
        chooser.shuffle(ids)

        async def end(reserver: SqlAlchemyStockReserver) -> None:
            if finish == "release":
                await reserver.release(ids)
            elif finish == "convert":
                await reserver.convert(ids, reference=f"order:{number}")

        await shop.in_transaction(end)
        return finish

    async def sweep() -> int:
        async def work(reserver: SqlAlchemyStockReserver) -> int:
            return await reserver.expire(NOW, 3)

        return await shop.in_transaction(work) or 0

    outcomes = await asyncio.gather(
        *(cart(number) for number in range(30)), *(sweep() for _ in range(5)), return_exceptions=True
    )
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert errors == []  # a deadlock (40P01) or a lock timeout would show here
    carts = outcomes[:30]
    assert set(carts) <= {"insufficient", "release", "convert", "keep"}
    assert set(carts) - {"insufficient"}, "some carts must have got their stock"
    await shop.assert_consistent()
