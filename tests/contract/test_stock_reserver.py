"""One contract for the inventory ports (StockReserver, StockLedger), run on the fakes and on SQL
(both engines). After every operation the ledger is consistent (`mismatches()` is empty)."""

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.stock import STOCK, SqlAlchemyStockReserver
from avthrift.adapters.sqlalchemy.repositories.stock_ledger import SqlAlchemyStockLedger
from avthrift.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from avthrift.domain.inventory.errors import (
    InsufficientStockError,
    StockBelowReservedError,
    StockItemExistsError,
)
from avthrift.domain.inventory.model import Hold, HoldState, LedgerMismatch
from avthrift.domain.inventory.ports import StockLedger, StockReserver
from avthrift.domain.inventory.use_cases import ExpireReservations
from avthrift.domain.shared.errors import ConflictError, InvalidInputError, NotFoundError
from avthrift.domain.shared.ports import UnitOfWork
from tests.catalog_data import catalog_builder
from tests.conftest import execute_sql, migrated_database
from tests.fakes import FakeStock, FakeStockLedger, FakeStockReserver, FakeUnitOfWork, FixedClock

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
TTL = timedelta(minutes=30)


def later(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


@dataclass
class Inventory:
    """The ports on one backend, and what a test needs around them."""

    reserver: StockReserver
    ledger: StockLedger
    uow: UnitOfWork
    new_variant: Callable[[], Awaitable[int]]
    row: Callable[[int], Awaitable[tuple[int, int] | None]]  # (on_hand, reserved) of a variant
    commit: Callable[[], Awaitable[None]]
    corrupt: Callable[[int, str, int], Awaitable[None]]  # add to a column of a variant's stock row

    async def stocked(self, on_hand: int) -> int:
        """A new variant with `on_hand` units; returns the variant id."""
        variant_id = await self.new_variant()
        await self.ledger.create_item(variant_id, on_hand, reason="Opening stock")
        return variant_id

    async def hold(self, variant_id: int, quantity: int, *, at: datetime = NOW, ttl: timedelta = TTL) -> Hold:
        return await self.reserver.hold(variant_id, quantity, reference="cart:1", expires_at=at + ttl, now=at)

    async def state(self, hold: Hold) -> HoldState:
        return (await self.reserver.holds([hold.id]))[hold.id].state

    async def consistent(self) -> None:
        assert await self.ledger.mismatches() == ()


@asynccontextmanager
async def open_inventory(database_url: str | None) -> AsyncIterator[Inventory]:
    """The fakes (`None`) or the SQL adapters on one session of `database_url`."""
    if database_url is None:
        stock = FakeStock(variants=set())
        numbers = iter(range(1, 10**6))

        async def new_fake_variant() -> int:
            variant_id = next(numbers)
            assert stock.variants is not None
            stock.variants.add(variant_id)
            return variant_id

        async def fake_row(variant_id: int) -> tuple[int, int] | None:
            row = stock.items.get(variant_id)
            return None if row is None else (row.on_hand, row.reserved)

        async def nothing() -> None:
            return None

        async def fake_corrupt(variant_id: int, column: str, delta: int) -> None:
            row = stock.items[variant_id]
            setattr(row, column, getattr(row, column) + delta)

        yield Inventory(
            FakeStockReserver(stock),
            FakeStockLedger(stock),
            FakeUnitOfWork(),
            new_fake_variant,
            fake_row,
            nothing,
            fake_corrupt,
        )
        return
    engine = create_engine(database_url)
    try:
        async with catalog_builder(database_url) as catalog, AsyncSession(engine) as session:
            tag = uuid.uuid4().hex[:12]  # several harnesses may share one database
            product = await catalog.product(slug=f"stock-{tag}")
            skus = itertools.count(1)

            async def new_variant() -> int:
                await session.commit()  # SQLite: the builder's engine writes too
                return await catalog.variant(product, sku=f"STOCK-{tag}-{next(skus)}")

            async def row(variant_id: int) -> tuple[int, int] | None:
                statement = select(STOCK.c.on_hand, STOCK.c.reserved).where(STOCK.c.variant_id == variant_id)
                found = (await session.execute(statement)).first()
                return None if found is None else (found.on_hand, found.reserved)

            async def corrupt(variant_id: int, column: str, delta: int) -> None:
                await session.commit()
                sql = f"UPDATE stock_items SET {column} = {column} + $1 WHERE variant_id = $2"  # noqa: S608
                await execute_sql(database_url, sql, delta, variant_id)

            yield Inventory(
                SqlAlchemyStockReserver(session),
                SqlAlchemyStockLedger(session),
                SqlAlchemyUnitOfWork(session),
                new_variant,
                row,
                session.commit,
                corrupt,
            )
            await session.rollback()
    finally:
        await engine.dispose()


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    if request.param == "fake":
        yield None
        return
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def inventory(backend: str | None) -> AsyncIterator[Inventory]:
    async with open_inventory(backend) as opened:
        yield opened


# --- hold -----------------------------------------------------------------------------------------


async def test_a_hold_takes_free_units(inventory: Inventory) -> None:
    variant = await inventory.stocked(5)
    hold = await inventory.hold(variant, 2)
    assert hold == Hold(
        id=hold.id,
        variant_id=variant,
        quantity=2,
        reference="cart:1",
        state=HoldState.ACTIVE,
        expires_at=NOW + TTL,
    )
    assert await inventory.reserver.holds([hold.id, hold.id + 1000]) == {hold.id: hold}
    assert await inventory.row(variant) == (5, 2)
    assert await inventory.reserver.available([variant], NOW) == {variant: 3}
    await inventory.hold(variant, 3)
    assert await inventory.row(variant) == (5, 5)
    await inventory.consistent()


async def test_a_hold_beyond_what_is_free_changes_nothing(inventory: Inventory) -> None:
    variant = await inventory.stocked(5)
    first = await inventory.hold(variant, 3)
    with pytest.raises(InsufficientStockError) as raised:
        await inventory.hold(variant, 3)
    assert (raised.value.variant_id, raised.value.available) == (variant, 2)
    assert raised.value.code == "insufficient_stock"
    assert raised.value.detail == "Unable to update cart."
    assert await inventory.row(variant) == (5, 3)
    assert await inventory.state(first) is HoldState.ACTIVE
    await inventory.consistent()


async def test_without_a_stock_row_nothing_is_available(inventory: Inventory) -> None:
    variant = await inventory.new_variant()
    with pytest.raises(InsufficientStockError) as raised:
        await inventory.hold(variant, 1)
    assert raised.value.available == 0
    assert await inventory.reserver.available([variant, 2**63 + 5], NOW) == {variant: 0, 2**63 + 5: 0}
    with pytest.raises(InsufficientStockError):
        await inventory.hold(2**63 + 5, 1)
    assert await inventory.row(variant) is None
    await inventory.consistent()


@pytest.mark.parametrize("quantity", [0, -1])
async def test_a_hold_needs_a_positive_quantity(inventory: Inventory, quantity: int) -> None:
    variant = await inventory.stocked(5)
    with pytest.raises(InvalidInputError):
        await inventory.hold(variant, quantity)
    assert await inventory.row(variant) == (5, 0)


async def test_a_lapsed_hold_never_blocks_another_buyer(inventory: Inventory) -> None:
    variant = await inventory.stocked(1)
    ann = await inventory.hold(variant, 1)
    with pytest.raises(InsufficientStockError):
        await inventory.hold(variant, 1, at=later(29))
    assert await inventory.state(ann) is HoldState.ACTIVE
    assert await inventory.reserver.available([variant], later(30)) == {variant: 1}
    bob = await inventory.hold(variant, 1, at=later(30))  # no sweep has run
    assert await inventory.state(ann) is HoldState.RELEASED
    assert await inventory.state(bob) is HoldState.ACTIVE
    assert await inventory.row(variant) == (1, 1)
    await inventory.consistent()


async def test_reclaiming_stays_done_when_the_hold_still_fails(inventory: Inventory) -> None:
    variant = await inventory.stocked(3)
    lapsed = await inventory.hold(variant, 1)
    holding = await inventory.hold(variant, 1, at=later(20))
    with pytest.raises(InsufficientStockError) as raised:
        await inventory.hold(variant, 3, at=later(40))
    assert raised.value.available == 2
    assert await inventory.state(lapsed) is HoldState.RELEASED
    assert await inventory.state(holding) is HoldState.ACTIVE
    assert await inventory.row(variant) == (3, 1)
    await inventory.consistent()


async def test_lapsed_holds_are_kept_while_free_units_suffice(inventory: Inventory) -> None:
    variant = await inventory.stocked(3)
    lapsed = await inventory.hold(variant, 1)
    await inventory.hold(variant, 2, at=later(40))
    assert await inventory.state(lapsed) is HoldState.ACTIVE  # left for the sweep
    assert await inventory.row(variant) == (3, 3)
    await inventory.consistent()


# --- resize, renew --------------------------------------------------------------------------------


async def test_resize_grows_and_shrinks_and_renews(inventory: Inventory) -> None:
    variant = await inventory.stocked(5)
    hold = await inventory.hold(variant, 2)
    grown = await inventory.reserver.resize(hold.id, 4, expires_at=later(50), now=later(10))
    assert (grown.id, grown.quantity, grown.expires_at, grown.state) == (
        hold.id,
        4,
        later(50),
        HoldState.ACTIVE,
    )
    assert await inventory.row(variant) == (5, 4)
    shrunk = await inventory.reserver.resize(hold.id, 1, expires_at=later(60), now=later(20))
    assert (shrunk.id, shrunk.quantity, shrunk.expires_at) == (hold.id, 1, later(60))
    assert await inventory.reserver.holds([hold.id]) == {hold.id: shrunk}
    assert await inventory.row(variant) == (5, 1)
    same = await inventory.reserver.resize(hold.id, 1, expires_at=later(70), now=later(30))
    assert (same.quantity, same.expires_at) == (1, later(70))
    assert await inventory.row(variant) == (5, 1)
    await inventory.consistent()


async def test_resize_beyond_what_is_free_leaves_the_hold_as_it_was(inventory: Inventory) -> None:
    variant = await inventory.stocked(5)
    hold = await inventory.hold(variant, 2)
    await inventory.hold(variant, 2)
    with pytest.raises(InsufficientStockError) as raised:
        await inventory.reserver.resize(hold.id, 4, expires_at=later(50), now=later(10))
    assert raised.value.available == 3  # its own 2 and the 1 free unit
    assert await inventory.reserver.holds([hold.id]) == {hold.id: hold}
    assert await inventory.row(variant) == (5, 4)
    with pytest.raises(NotFoundError):
        await inventory.reserver.resize(hold.id + 1000, 1, expires_at=later(50), now=later(10))
    with pytest.raises(InvalidInputError):
        await inventory.reserver.resize(hold.id, 0, expires_at=later(50), now=later(10))
    await inventory.consistent()


async def test_growing_a_lapsed_hold_reclaims_others_but_not_itself(inventory: Inventory) -> None:
    variant = await inventory.stocked(3)
    mine = await inventory.hold(variant, 1)
    other = await inventory.hold(variant, 2, at=later(5))
    grown = await inventory.reserver.resize(mine.id, 3, expires_at=later(100), now=later(40))
    assert (grown.id, grown.quantity) == (mine.id, 3)
    assert await inventory.state(other) is HoldState.RELEASED
    assert await inventory.row(variant) == (3, 3)
    await inventory.consistent()


async def test_resizing_a_reclaimed_hold_takes_a_fresh_one(inventory: Inventory) -> None:
    variant = await inventory.stocked(2)
    ann = await inventory.hold(variant, 1)
    bob = await inventory.hold(variant, 2, at=later(31))  # reclaims ann's lapsed hold
    assert await inventory.state(ann) is HoldState.RELEASED
    with pytest.raises(InsufficientStockError) as raised:
        await inventory.reserver.resize(ann.id, 1, expires_at=later(80), now=later(32))
    assert raised.value.available == 0
    await inventory.reserver.release([bob.id])
    fresh = await inventory.reserver.resize(ann.id, 2, expires_at=later(80), now=later(33))
    assert fresh.id != ann.id
    assert (fresh.variant_id, fresh.quantity, fresh.reference, fresh.state) == (
        variant,
        2,
        ann.reference,
        HoldState.ACTIVE,
    )
    assert await inventory.state(ann) is HoldState.RELEASED
    assert await inventory.row(variant) == (2, 2)
    await inventory.consistent()


async def test_renew_extends_only_holds_that_still_hold(inventory: Inventory) -> None:
    variant = await inventory.stocked(10)
    lapsed = await inventory.hold(variant, 1, ttl=timedelta(minutes=5))
    holding = await inventory.hold(variant, 1)
    released = await inventory.hold(variant, 1)
    await inventory.reserver.release([released.id])
    await inventory.reserver.renew(
        [lapsed.id, holding.id, released.id, 2**63 + 1], expires_at=later(90), now=later(10)
    )
    found = await inventory.reserver.holds([lapsed.id, holding.id, released.id])
    assert found[holding.id].expires_at == later(90)
    assert found[lapsed.id] == lapsed
    assert found[released.id].expires_at == released.expires_at
    await inventory.reserver.renew([], expires_at=later(90), now=later(10))
    await inventory.consistent()


# --- release, convert, expire ---------------------------------------------------------------------


async def test_release_gives_units_back_once(inventory: Inventory) -> None:
    first, second = await inventory.stocked(5), await inventory.stocked(5)
    holds = [await inventory.hold(first, 2), await inventory.hold(second, 3), await inventory.hold(first, 1)]
    await inventory.reserver.release([holds[1].id, holds[0].id, 2**63 + 9])
    assert (await inventory.row(first), await inventory.row(second)) == ((5, 1), (5, 0))
    await inventory.reserver.release([holds[0].id, holds[1].id])
    await inventory.reserver.release([])
    assert (await inventory.row(first), await inventory.row(second)) == ((5, 1), (5, 0))
    assert [await inventory.state(hold) for hold in holds] == [
        HoldState.RELEASED,
        HoldState.RELEASED,
        HoldState.ACTIVE,
    ]
    await inventory.consistent()


async def test_convert_turns_holds_into_sales_once(inventory: Inventory) -> None:
    first, second = await inventory.stocked(5), await inventory.stocked(2)
    sold = [await inventory.hold(first, 2), await inventory.hold(second, 2)]
    kept = await inventory.hold(first, 1)
    released = await inventory.hold(first, 1)
    await inventory.reserver.release([released.id])
    await inventory.reserver.convert([sold[1].id, sold[0].id, released.id], reference="order:7")
    assert (await inventory.row(first), await inventory.row(second)) == ((3, 1), (0, 0))
    assert [await inventory.state(hold) for hold in (*sold, kept, released)] == [
        HoldState.CONVERTED,
        HoldState.CONVERTED,
        HoldState.ACTIVE,
        HoldState.RELEASED,
    ]
    await inventory.consistent()  # the `out` movements are recorded: on_hand == Σ movements
    await inventory.reserver.convert([sold[0].id], reference="order:7")
    await inventory.reserver.release([sold[0].id])
    assert await inventory.row(first) == (3, 1)
    await inventory.consistent()


async def test_expire_releases_the_oldest_lapsed_holds_in_batches(inventory: Inventory) -> None:
    first, second = await inventory.stocked(10), await inventory.stocked(10)
    lapsed = [
        await inventory.hold(first, 1, ttl=timedelta(minutes=5)),
        await inventory.hold(second, 2, ttl=timedelta(minutes=1)),
        await inventory.hold(first, 3, ttl=timedelta(minutes=3)),
        await inventory.hold(second, 1, ttl=timedelta(minutes=9)),
        await inventory.hold(first, 2, ttl=timedelta(minutes=7)),
    ]
    holding = await inventory.hold(second, 1, ttl=timedelta(minutes=60))
    assert await inventory.reserver.expire(later(10), 2) == 2
    states = [await inventory.state(hold) for hold in lapsed]
    assert states == [HoldState.ACTIVE, HoldState.RELEASED, HoldState.RELEASED, *[HoldState.ACTIVE] * 2]
    await inventory.consistent()
    assert await inventory.reserver.expire(later(10), 10) == 3
    assert await inventory.reserver.expire(later(10), 10) == 0
    assert await inventory.reserver.expire(later(10), 0) == 0
    assert [await inventory.state(hold) for hold in lapsed] == [HoldState.RELEASED] * 5
    assert await inventory.state(holding) is HoldState.ACTIVE
    assert (await inventory.row(first), await inventory.row(second)) == ((10, 0), (10, 1))
    await inventory.consistent()


async def test_the_expiry_job_runs_batches_until_none_is_left(inventory: Inventory) -> None:
    variant = await inventory.stocked(10)
    for minutes in range(1, 6):
        await inventory.hold(variant, 1, ttl=timedelta(minutes=minutes))
    await inventory.hold(variant, 1, ttl=timedelta(minutes=60))
    await inventory.commit()
    job = ExpireReservations(inventory.uow, inventory.reserver, FixedClock(later(10)))
    assert await job(batch=2) == 5
    assert await inventory.row(variant) == (10, 1)
    assert await job(batch=2) == 0
    await inventory.consistent()


# --- ledger ---------------------------------------------------------------------------------------


async def test_create_item_records_the_opening_stock(inventory: Inventory) -> None:
    stocked, empty = await inventory.new_variant(), await inventory.new_variant()
    stock_id = await inventory.ledger.create_item(stocked, 4, reason="Opening stock")
    assert await inventory.ledger.create_item(empty, 0, reason="Opening stock") != stock_id
    assert (await inventory.row(stocked), await inventory.row(empty)) == ((4, 0), (0, 0))
    await inventory.consistent()
    with pytest.raises(StockItemExistsError):
        await inventory.ledger.create_item(stocked, 1, reason="Again")
    with pytest.raises(NotFoundError):
        await inventory.ledger.create_item(await inventory.new_variant() + 1000, 1, reason="x")
    with pytest.raises(NotFoundError):
        await inventory.ledger.create_item(2**63, 1, reason="x")
    with pytest.raises(InvalidInputError):
        await inventory.ledger.create_item(await inventory.new_variant(), -1, reason="x")
    assert await inventory.row(stocked) == (4, 0)
    await inventory.consistent()
    assert issubclass(StockItemExistsError, ConflictError)


async def test_movements_move_on_hand_but_never_below_reserved(inventory: Inventory) -> None:
    variant = await inventory.new_variant()
    stock_id = await inventory.ledger.create_item(variant, 5, reason="Opening stock")
    await inventory.hold(variant, 3)
    first = await inventory.ledger.move(stock_id, "in", 4, reason="Delivery", reference="DN-1")
    second = await inventory.ledger.move(stock_id, "out", -2, reason="Damaged", reference="")
    await inventory.ledger.move(stock_id, "adjust", -1, reason="Count", reference="")
    assert second != first
    assert await inventory.row(variant) == (6, 3)
    with pytest.raises(StockBelowReservedError):
        await inventory.ledger.move(stock_id, "out", -4, reason="Too many", reference="")
    await inventory.ledger.move(stock_id, "adjust", -3, reason="Exactly", reference="")
    assert await inventory.row(variant) == (3, 3)
    await inventory.consistent()


@pytest.mark.parametrize(
    ("movement_type", "quantity", "field"),
    [
        ("in", -1, "quantity"),
        ("in", 0, "quantity"),
        ("out", 2, "quantity"),
        ("adjust", 0, "quantity"),
        ("gift", 1, "movement_type"),
    ],
)
async def test_malformed_movements_are_refused(
    inventory: Inventory, movement_type: str, quantity: int, field: str
) -> None:
    variant = await inventory.new_variant()
    stock_id = await inventory.ledger.create_item(variant, 5, reason="Opening stock")
    with pytest.raises(InvalidInputError) as raised:
        await inventory.ledger.move(stock_id, movement_type, quantity, reason="", reference="")
    assert raised.value.extra["invalid_params"][0]["name"] == field
    assert await inventory.row(variant) == (5, 0)


async def test_a_movement_of_an_unknown_stock_item_is_not_found(inventory: Inventory) -> None:
    stock_id = await inventory.ledger.create_item(await inventory.new_variant(), 5, reason="Opening stock")
    for unknown in (stock_id + 1000, 2**63, 0):
        with pytest.raises(NotFoundError):
            await inventory.ledger.move(unknown, "in", 1, reason="", reference="")


async def test_mismatches_name_the_variants_whose_rows_disagree(inventory: Inventory) -> None:
    fine, drifted, overbooked = [await inventory.stocked(5) for _ in range(3)]
    await inventory.hold(overbooked, 2)
    await inventory.consistent()
    await inventory.corrupt(drifted, "on_hand", 2)
    await inventory.corrupt(overbooked, "reserved", -1)
    assert await inventory.ledger.mismatches() == (
        LedgerMismatch(variant_id=drifted, on_hand=7, movements_sum=5, reserved=0, active_holds_sum=0),
        LedgerMismatch(variant_id=overbooked, on_hand=5, movements_sum=5, reserved=1, active_holds_sum=2),
    )
    assert fine < drifted < overbooked
