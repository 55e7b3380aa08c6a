"""Pay and cancel of one order at the same moment on PostgreSQL, each use case on its own connection
(contract §9: "Pay and cancel of one order are serialised: never both"; the peer let the last writer
win after the "paid" email had gone, reference §7.2 #11). Every order ends paid or cancelled, exactly
one of the two calls succeeds, a cancelled order is restocked exactly once, a paid one never, and one
confirmation goes out per paid order."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from avthrift.adapters.clock import SystemClock
from avthrift.adapters.email.memory import MemoryEmailSender
from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.orders import SqlAlchemyOrderRepository
from avthrift.adapters.sqlalchemy.repositories.stock_ledger import SqlAlchemyStockLedger
from avthrift.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from avthrift.domain.orders.errors import OrderUpdateError
from avthrift.domain.orders.model import Order, OrderPolicy
from avthrift.domain.orders.use_cases.cancel import CancelOrder
from avthrift.domain.orders.use_cases.confirm import MarkOrderPaid
from avthrift.domain.orders.use_cases.expire import ExpireUnpaidOrders
from tests.cart_data import assert_ledger_consistent, stock_of, stocked_variant
from tests.conftest import migrated_database
from tests.order_data import movements_of, new_buyer, order_statuses, place_order

ORDERS = 20
POLICY = OrderPolicy(frontend_url="https://shop.example.com", payment_ttl=timedelta(minutes=60))


class SlowLockingOrderRepository(SqlAlchemyOrderRepository):
    """Holds each locked read a moment before going on: without the row lock, the other call would
    read the same pending order in that window and both would "succeed"."""

    async def get(self, order_id: int, *, user_id: int | None = None, lock: bool = False) -> Order | None:
        order = await super().get(order_id, user_id=user_id, lock=lock)
        if lock:
            await asyncio.sleep(0.02)
        return order


@dataclass
class Shop:
    engine: AsyncEngine
    database_url: str
    mail: MemoryEmailSender = field(default_factory=MemoryEmailSender)

    async def run[T](self, make: Callable[[AsyncSession], Callable[[], Awaitable[T]]]) -> T | str:
        """One use case on a session (and connection) of its own; a refusal reads as `"refused"`."""
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            try:
                return await make(session)()
            except OrderUpdateError:
                return "refused"

    def mark_paid(self, order_id: int) -> Callable[[AsyncSession], Callable[[], Awaitable[Order]]]:
        def make(session: AsyncSession) -> Callable[[], Awaitable[Order]]:
            use_case = MarkOrderPaid(
                SqlAlchemyUnitOfWork(session),
                SlowLockingOrderRepository(session),
                self.mail,
                SystemClock(),
                POLICY,
            )
            return lambda: use_case(order_id)

        return make

    def cancel(self, user_id: int, order_id: int) -> Callable[[AsyncSession], Callable[[], Awaitable[Order]]]:
        def make(session: AsyncSession) -> Callable[[], Awaitable[Order]]:
            use_case = CancelOrder(
                SqlAlchemyUnitOfWork(session),
                SlowLockingOrderRepository(session),
                SqlAlchemyStockLedger(session),
                SystemClock(),
            )
            return lambda: use_case(user_id, order_id)

        return make

    def expire(self) -> Callable[[AsyncSession], Callable[[], Awaitable[int]]]:
        def make(session: AsyncSession) -> Callable[[], Awaitable[int]]:
            return ExpireUnpaidOrders(
                SqlAlchemyUnitOfWork(session),
                SlowLockingOrderRepository(session),
                SqlAlchemyStockLedger(session),
                SystemClock(),
                POLICY,
            )

        return make

    async def check_outcome(self, orders: dict[int, int], variant: int, on_hand_before: int) -> Counter[str]:
        """Each order paid or cancelled; stock and mail consistent with that. Returns the counts."""
        statuses = await order_statuses(self.database_url)
        outcome = Counter(statuses[order_id] for order_id in orders)
        assert set(outcome) <= {"paid", "cancelled"}, outcome
        for order_id in orders:
            kinds = [movement[1] for movement in await movements_of(self.database_url, f"order:{order_id}")]
            assert kinds == (["out", "in"] if statuses[order_id] == "cancelled" else ["out"]), (
                order_id,
                kinds,
            )
        restocked = sum(q for order_id, q in orders.items() if statuses[order_id] == "cancelled")
        assert await stock_of(self.database_url, variant) == (on_hand_before + restocked, 0)
        paid_numbers = sorted(f"ORD-{order_id:06d}" for order_id in orders if statuses[order_id] == "paid")
        assert sorted(message.subject.split()[2] for message in self.mail.outbox) == paid_numbers
        await assert_ledger_consistent(self.database_url)
        return outcome


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from migrated_database("postgres", request, tmp_path)


@pytest.fixture
async def shop(postgres_url: str) -> AsyncIterator[Shop]:
    engine = create_engine(postgres_url, pool_size=2 * ORDERS + 5, max_overflow=0)
    yield Shop(engine, postgres_url)
    await engine.dispose()


@pytest.mark.parametrize("round_", range(2))
async def test_pay_and_cancel_of_one_order_never_both_succeed(shop: Shop, round_: int) -> None:
    variant = await stocked_variant(shop.database_url, 100)
    buyer = await new_buyer(shop.database_url)
    orders = {await place_order(shop.database_url, buyer, [(variant, 2)]): 2 for _ in range(ORDERS)}
    on_hand = (await stock_of(shop.database_url, variant))[0]

    calls = []
    for number, order_id in enumerate(orders):
        pair = [shop.run(shop.mark_paid(order_id)), shop.run(shop.cancel(buyer, order_id))]
        calls.extend(pair if (number + round_) % 2 else reversed(pair))
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []  # no deadlock, no 500
    for index in range(0, len(results), 2):
        pair = results[index : index + 2]
        assert sum(result == "refused" for result in pair) == 1, pair

    outcome = await shop.check_outcome(orders, variant, on_hand)
    assert sum(outcome.values()) == ORDERS


async def test_expiry_racing_staff_confirmation(shop: Shop) -> None:
    variant = await stocked_variant(shop.database_url, 100)
    buyer = await new_buyer(shop.database_url)
    old = datetime.now(UTC) - timedelta(hours=2)
    orders = {
        await place_order(shop.database_url, buyer, [(variant, 1)], created_at=old): 1 for _ in range(ORDERS)
    }
    on_hand = (await stock_of(shop.database_url, variant))[0]

    paid = [shop.run(shop.mark_paid(order_id)) for order_id in orders]
    results = await asyncio.gather(shop.run(shop.expire()), *paid, return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    expired, confirmations = results[0], results[1:]

    outcome = await shop.check_outcome(orders, variant, on_hand)
    assert expired == outcome["cancelled"]
    assert sum(result == "refused" for result in confirmations) == outcome["cancelled"]
