"""Inventory use cases against the fakes: staff writes, the ledger check and the expiry job."""

from datetime import UTC, datetime, timedelta

import pytest

from avthrift.domain.inventory.errors import StockBelowReservedError, StockItemExistsError
from avthrift.domain.inventory.model import MovementType, movement_problem
from avthrift.domain.inventory.ports import InventoryReader
from avthrift.domain.inventory.read_models import (
    Movement,
    MovementQuery,
    Reservation,
    ReservationQuery,
    StockItem,
    StockItemQuery,
)
from avthrift.domain.inventory.use_cases import (
    CheckLedger,
    CreateStockItem,
    ExpireReservations,
    RecordMovement,
)
from avthrift.domain.shared.errors import InvalidInputError
from avthrift.domain.shared.pagination import Page
from tests.fakes import FakeStock, FakeStockLedger, FakeStockReserver, FakeUnitOfWork, FixedClock

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


class StockRowsReader(InventoryReader):
    """Single rows and counts read from a `FakeStock`; the staff lists are the adapters' (tested
    through the API on both engines)."""

    def __init__(self, stock: FakeStock) -> None:
        self.stock = stock

    async def stock_item(self, stock_item_id: int) -> StockItem | None:
        row = next((row for row in self.stock.items.values() if row.id == stock_item_id), None)
        if row is None:
            return None
        return StockItem(
            id=row.id,
            variant_id=row.variant_id,
            sku=f"SKU-{row.variant_id}",
            on_hand=row.on_hand,
            reserved=row.reserved,
            updated_at=NOW,
        )

    async def stock_item_count(self) -> int:
        return len(self.stock.items)

    async def movement(self, movement_id: int) -> Movement | None:
        found = next((m for m in self.stock.movements if m.id == movement_id), None)
        if found is None:
            return None
        return Movement(
            id=found.id,
            stock_item_id=found.stock_item_id,
            movement_type=MovementType(found.movement_type),
            quantity=found.quantity,
            reason=found.reason,
            reference=found.reference,
            created_at=NOW,
        )

    async def stock_items(self, query: StockItemQuery) -> Page[StockItem]:
        raise NotImplementedError

    async def movements(self, query: MovementQuery) -> Page[Movement]:
        raise NotImplementedError

    async def reservations(self, query: ReservationQuery) -> Page[Reservation]:
        raise NotImplementedError


@pytest.fixture
def stock() -> FakeStock:
    return FakeStock(variants={1, 2, 3})


async def test_create_stock_item_returns_the_row_and_commits(stock: FakeStock) -> None:
    uow = FakeUnitOfWork()
    create = CreateStockItem(uow, FakeStockLedger(stock), StockRowsReader(stock))
    created = await create(1, 4)
    assert (created.variant_id, created.on_hand, created.reserved, created.available) == (1, 4, 0, 4)
    assert [(m.movement_type, m.quantity, m.reason) for m in stock.movements] == [("in", 4, "Opening stock")]
    assert uow.commits == 1
    with pytest.raises(StockItemExistsError):
        await create(1, 1)
    with pytest.raises(InvalidInputError) as unknown:
        await create(99, 1)
    assert unknown.value.extra["invalid_params"] == [
        {"name": "variant_id", "reason": "No variant has this id."}
    ]
    with pytest.raises(InvalidInputError) as negative:
        await create(2, -1)
    assert negative.value.extra["invalid_params"][0]["name"] == "quantity"
    assert uow.commits == 1


async def test_record_movement_checks_the_sign_before_touching_stock(stock: FakeStock) -> None:
    stock_id = stock.seed(1, 5)
    uow = FakeUnitOfWork()
    record = RecordMovement(uow, FakeStockLedger(stock), StockRowsReader(stock))
    with pytest.raises(InvalidInputError):
        await record(stock_id, "out", 3, reason="", reference="")
    with pytest.raises(InvalidInputError) as nul:
        await record(stock_id, "in", 3, reason="a\x00", reference="")
    assert nul.value.extra["invalid_params"][0]["name"] == "reason"
    assert (uow.commits, uow.rollbacks) == (0, 0)
    with pytest.raises(InvalidInputError) as unknown:
        await record(stock_id + 5, "in", 1, reason="", reference="")
    assert unknown.value.extra["invalid_params"][0]["name"] == "stock_item"
    await FakeStockReserver(stock).hold(1, 4, reference="cart:1", expires_at=NOW, now=NOW)
    with pytest.raises(StockBelowReservedError):
        await record(stock_id, "adjust", -2, reason="", reference="")
    movement = await record(stock_id, "out", -1, reason="Damaged", reference="RMA-1")
    assert (movement.movement_type, movement.quantity, movement.reference) == (MovementType.OUT, -1, "RMA-1")
    assert (stock.items[1].on_hand, uow.commits) == (4, 1)


@pytest.mark.parametrize(
    ("movement_type", "quantity", "expected"),
    [
        ("in", 1, None),
        ("out", -1, None),
        ("adjust", -3, None),
        ("adjust", 3, None),
        ("in", 0, "quantity"),
        ("out", 0, "quantity"),
        ("out", 5, "quantity"),
        ("adjust", 0, "quantity"),
        ("IN", 1, "movement_type"),
    ],
)
def test_movement_signs(movement_type: str, quantity: int, expected: str | None) -> None:
    problem = movement_problem(movement_type, quantity)
    assert (problem and problem[0]) == expected


async def test_check_ledger_reports_what_it_checked(stock: FakeStock) -> None:
    for variant_id in (1, 2):
        stock.seed(variant_id, 3)
    check = CheckLedger(FakeUnitOfWork(), FakeStockLedger(stock), StockRowsReader(stock))
    assert (await check()).checked == 2
    assert (await check()).mismatches == ()
    stock.items[2].on_hand += 1
    assert [mismatch.variant_id for mismatch in (await check()).mismatches] == [2]


@pytest.mark.parametrize(("lapsed", "commits"), [(0, 1), (4, 3), (5, 3)])
async def test_the_expiry_job_commits_one_batch_at_a_time(
    stock: FakeStock, lapsed: int, commits: int
) -> None:
    stock.seed(1, 10)
    reserver = FakeStockReserver(stock)
    for minutes in range(lapsed):
        await reserver.hold(1, 1, reference="cart:1", expires_at=NOW + timedelta(minutes=minutes), now=NOW)
    await reserver.hold(1, 1, reference="cart:2", expires_at=NOW + timedelta(hours=2), now=NOW)
    uow = FakeUnitOfWork()
    job = ExpireReservations(uow, reserver, FixedClock(NOW + timedelta(hours=1)))
    assert await job(batch=2) == lapsed
    assert uow.commits == commits
    assert stock.items[1].reserved == 1
