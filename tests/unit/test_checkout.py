"""Checkout against in-memory fakes (reference §3.3, contract §7): the cart's holds become sales of a
pending order with stored totals; empty carts and lapsed holds are refused; the idempotent answer is
recorded inside the transaction by a store that joins it, and left to the HTTP layer otherwise; the
"order received" email goes out once the transaction is closed."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from avthrift.adapters.email.memory import MemoryEmailSender
from avthrift.domain.cart.model import CartOwner, CartPolicy, CartStatus, CartVariant
from avthrift.domain.cart.use_cases import shopping
from avthrift.domain.identity.model import NewUser
from avthrift.domain.inventory.model import HoldState
from avthrift.domain.orders.errors import CartEmptyError, ReservationLapsedError
from avthrift.domain.orders.model import CheckoutResult, OrderPolicy, OrderStatus
from avthrift.domain.orders.use_cases.checkout import Checkout
from avthrift.domain.shared.email import EmailMessage
from avthrift.domain.shared.idempotency import (
    Claim,
    IdempotencyKey,
    InFlight,
    PendingRecord,
    Replay,
    StoredResponse,
)
from avthrift.domain.shared.idempotency_use_cases import RecordIdempotentResponse
from tests.fakes import (
    FakeCartRepository,
    FakeIdempotencyStore,
    FakeOrderRepository,
    FakeStock,
    FakeStockLedger,
    FakeStockReserver,
    FakeUnitOfWork,
    FakeUserRepository,
    FixedClock,
    TrackingUnitOfWork,
)

SHIRT, HAT = 10, 11
CART_POLICY = CartPolicy(reservation_ttl=timedelta(minutes=30))
POLICY = OrderPolicy(frontend_url="https://shop.example.com")


class ObservedIdempotencyStore(FakeIdempotencyStore):
    """Notes, for each `complete`, whether the unit of work was open."""

    def __init__(self, uow: TrackingUnitOfWork, *, joins_transaction: bool) -> None:
        super().__init__(joins_transaction=joins_transaction)
        self._uow = uow
        self.completed_in_transaction: list[bool] = []

    async def complete(self, record: PendingRecord, response: StoredResponse) -> None:
        self.completed_in_transaction.append(self._uow.open)
        await super().complete(record, response)


class ObservedEmailSender(MemoryEmailSender):
    """Notes, for each message, whether the unit of work was open and how many commits it had seen."""

    def __init__(self, uow: TrackingUnitOfWork) -> None:
        super().__init__()
        self._uow = uow
        self.sent_while: list[tuple[bool, int]] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent_while.append((self._uow.open, self._uow.commits))
        await super().send(message)


@dataclass
class World:
    uow: TrackingUnitOfWork
    carts: FakeCartRepository
    stock: FakeStock
    reserver: FakeStockReserver
    orders: FakeOrderRepository
    users: FakeUserRepository
    idempotency: FakeIdempotencyStore
    emails: MemoryEmailSender
    clock: FixedClock
    user_id: int = 0

    def checkout(self) -> Checkout:
        return Checkout(
            self.uow,
            self.carts,
            self.reserver,
            self.orders,
            self.users,
            self.idempotency,
            self.emails,
            self.clock,
            CART_POLICY,
            POLICY,
        )

    async def add(self, variant_id: int, quantity: int) -> None:
        add = shopping.AddItem(self.uow, self.carts, self.reserver, self.clock, CART_POLICY)
        await add(CartOwner.user(self.user_id), variant_id, quantity)


def _variant(variant_id: int, price: str) -> CartVariant:
    return CartVariant(
        id=variant_id,
        price=Decimal(price),
        sellable=True,
        product_title=f"P{variant_id}",
        sku=f"S{variant_id}",
    )


@pytest.fixture
async def world() -> World:
    stock = FakeStock()
    stock.seed(SHIRT, 3)
    stock.seed(HAT, 1)
    clock = FixedClock()
    users = FakeUserRepository()
    user = await users.add(
        NewUser(username="ann", email="ann@example.com", password_hash="x", date_joined=datetime.now(UTC))
    )
    return World(
        TrackingUnitOfWork(),
        FakeCartRepository([_variant(SHIRT, "10.00"), _variant(HAT, "25.50")], users={user.id}),
        stock,
        FakeStockReserver(stock),
        FakeOrderRepository(clock),
        users,
        FakeIdempotencyStore(),
        MemoryEmailSender(),
        clock,
        user.id,
    )


async def test_holds_become_sales_of_a_pending_order_with_stored_totals(world: World) -> None:
    await world.add(SHIRT, 2)
    await world.add(HAT, 1)

    result = await world.checkout()(world.user_id)

    order = world.orders.orders[result.order_id]
    assert result == CheckoutResult(order_id=order.id, order_number="ORD-000001")
    assert order.status is OrderStatus.PENDING
    assert order.email == "ann@example.com"
    assert [(line.variant_id, line.quantity, line.unit_price) for line in order.lines] == [
        (SHIRT, 2, Decimal("10.00")),
        (HAT, 1, Decimal("25.50")),
    ]
    assert order.totals.subtotal == order.totals.total == Decimal("45.50")
    assert {v: (row.on_hand, row.reserved) for v, row in world.stock.items.items()} == {
        SHIRT: (1, 0),
        HAT: (0, 0),
    }
    assert {hold.state for hold in world.stock.holds.values()} == {HoldState.CONVERTED}
    assert {m.reference for m in world.stock.movements if m.quantity < 0} == {f"order:{order.id}"}
    assert await FakeStockLedger(world.stock).mismatches() == ()
    [row] = world.carts.carts.values()
    assert row.status is CartStatus.ORDERED
    assert not world.carts.lines


async def test_an_empty_cart_is_refused(world: World) -> None:
    with pytest.raises(CartEmptyError) as raised:
        await world.checkout()(world.user_id)
    assert raised.value.detail == "Cart is empty."
    assert world.orders.orders == {}


async def test_a_lapsed_hold_that_was_reclaimed_is_taken_again_when_stock_allows(world: World) -> None:
    await world.add(SHIRT, 2)
    world.clock.advance(minutes=31)
    assert await world.reserver.expire(world.clock.now(), 10) == 1  # the sweep released it

    result = await world.checkout()(world.user_id)

    assert world.stock.items[SHIRT].on_hand == 1
    assert world.orders.orders[result.order_id].lines[0].quantity == 2
    assert await FakeStockLedger(world.stock).mismatches() == ()


async def test_a_lapsed_hold_still_active_is_still_ours(world: World) -> None:
    await world.add(HAT, 1)
    world.clock.advance(hours=5)  # lapsed, but nobody reclaimed the unit

    result = await world.checkout()(world.user_id)

    assert world.orders.orders[result.order_id].lines[0].variant_id == HAT
    assert world.stock.items[HAT].on_hand == 0


async def test_lines_whose_units_are_gone_are_named_and_nothing_is_committed(world: World) -> None:
    await world.add(SHIRT, 1)
    await world.add(HAT, 1)
    world.clock.advance(minutes=31)
    await world.reserver.expire(world.clock.now(), 10)
    rival = await world.reserver.hold(
        HAT,
        1,
        reference="cart:999",
        expires_at=world.clock.now() + timedelta(minutes=30),
        now=world.clock.now(),
    )
    commits = world.uow.commits

    with pytest.raises(ReservationLapsedError) as raised:
        await world.checkout()(world.user_id)

    cart = await world.carts.active(CartOwner.user(world.user_id))
    assert cart is not None
    hat_line = next(line for line in cart.lines if line.variant_id == HAT)
    assert raised.value.extra == {"lines": [hat_line.id], "variants": [HAT]}
    assert world.uow.commits == commits
    assert world.orders.orders == {}
    assert world.stock.holds[rival.id].state is HoldState.ACTIVE
    assert world.emails.outbox == []


def _render(result: CheckoutResult) -> StoredResponse:
    return StoredResponse(
        status=200, body=f'{{"order_id":{result.order_id}}}'.encode(), content_type="application/json"
    )


async def _claimed(world: World) -> PendingRecord:
    """A checkout key claimed as the HTTP layer claims it."""
    key = IdempotencyKey(
        caller=f"user:{world.user_id}", method="POST", route="/api/v1/cart/checkout", key="k1"
    )
    now = world.clock.now()
    lease_until = now + timedelta(minutes=1)
    await world.idempotency.claim(key, "f" * 64, now=now, lease_until=lease_until)
    return PendingRecord(
        key=key, fingerprint="f" * 64, lease_until=lease_until, expires_at=now + timedelta(hours=24)
    )


async def _repeat(world: World, record: PendingRecord) -> Claim:
    """What a retry of the keyed checkout would find, now."""
    now = world.clock.now()
    return await world.idempotency.claim(
        record.key, record.fingerprint, now=now, lease_until=now + timedelta(minutes=1)
    )


async def test_a_store_that_joins_the_transaction_records_the_answer_with_the_order(world: World) -> None:
    await world.add(SHIRT, 1)
    store = world.idempotency = ObservedIdempotencyStore(world.uow, joins_transaction=True)
    record = await _claimed(world)

    result = await world.checkout()(world.user_id, record, _render)

    assert store.completed_in_transaction == [True]
    assert await _repeat(world, record) == Replay(response=_render(result))


async def test_a_store_that_cannot_join_the_transaction_is_left_to_record_after_the_commit(
    world: World,
) -> None:
    await world.add(SHIRT, 1)
    store = world.idempotency = ObservedIdempotencyStore(world.uow, joins_transaction=False)
    record = await _claimed(world)

    result = await world.checkout()(world.user_id, record, _render)

    assert store.completed_in_transaction == []  # no network call inside the transaction (rule 11)
    assert await _repeat(world, record) == InFlight(retry_after_seconds=60)
    # What the HTTP layer then does, after the commit, as on every other route.
    await RecordIdempotentResponse(FakeUnitOfWork(), store)(record, _render(result))
    assert store.completed_in_transaction == [False]
    assert await _repeat(world, record) == Replay(response=_render(result))


async def test_the_order_received_email_is_sent_once_the_transaction_is_committed_and_closed(
    world: World,
) -> None:
    await world.add(HAT, 1)
    emails = world.emails = ObservedEmailSender(world.uow)
    commits = world.uow.commits

    result = await world.checkout()(world.user_id)

    assert emails.sent_while == [(False, commits + 1)]
    [message] = emails.outbox
    assert message.to == "ann@example.com"
    assert "ORD-000001" in message.subject
    assert f"https://shop.example.com/orders/{result.order_id}" in message.body


async def test_a_mail_failure_does_not_undo_the_order(world: World) -> None:
    await world.add(HAT, 1)
    world.emails.fail_next = True

    result = await world.checkout()(world.user_id)

    assert world.orders.orders[result.order_id].status is OrderStatus.PENDING
    assert world.emails.outbox == []
