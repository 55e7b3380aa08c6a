"""Order use cases against in-memory fakes (reference §3.4; contract §9): reads limited to the owner,
cancel with restock, pay through a gateway that never marks paid, confirmation with exactly one
email, and expiry of unpaid orders."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest

from avthrift.adapters.email.memory import MemoryEmailSender
from avthrift.domain.inventory.model import MovementType
from avthrift.domain.orders.errors import OrderUpdateError
from avthrift.domain.orders.model import (
    NewOrder,
    NewOrderLine,
    Order,
    OrderPolicy,
    OrderQuery,
    OrderStatus,
    Totals,
    order_reference,
)
from avthrift.domain.orders.use_cases import cancel, confirm, expire, pay, reads
from avthrift.domain.payments.ports import PaymentGateway, PaymentStart
from avthrift.domain.shared.errors import NotFoundError, ServiceUnavailableError
from avthrift.domain.shared.pagination import PageRequest
from tests.fakes import FakeOrderRepository, FakeStock, FakeStockLedger, FixedClock, TrackingUnitOfWork

ANN, BOB = 1, 2
SHIRT, HAT = 10, 11
POLICY = OrderPolicy(frontend_url="https://shop.example.com", payment_ttl=timedelta(minutes=60))


class FakePaymentGateway(PaymentGateway):
    def __init__(self, uow: TrackingUnitOfWork) -> None:
        self.started: list[Order] = []
        self.fail = False
        self._uow = uow

    async def start(self, order: Order) -> PaymentStart:
        assert not self._uow.open, "the gateway was called inside a transaction"
        if self.fail:
            raise ServiceUnavailableError("The payment provider is unavailable.")
        self.started.append(order)
        return PaymentStart(
            gateway="fake", reference=order.number, instructions="Pay up.", redirect_url="https://pay"
        )


@dataclass
class World:
    clock: FixedClock = field(default_factory=FixedClock)
    uow: TrackingUnitOfWork = field(default_factory=TrackingUnitOfWork)
    stock: FakeStock = field(default_factory=FakeStock)
    mail: MemoryEmailSender = field(default_factory=MemoryEmailSender)
    orders: FakeOrderRepository = field(init=False)
    gateway: FakePaymentGateway = field(init=False)

    def __post_init__(self) -> None:
        self.orders = FakeOrderRepository(self.clock)
        self.gateway = FakePaymentGateway(self.uow)
        self.stock.seed(SHIRT, 10)
        self.stock.seed(HAT, 5)

    @property
    def ledger(self) -> FakeStockLedger:
        return FakeStockLedger(self.stock)

    async def place(
        self, user_id: int, lines: Sequence[tuple[int, int]], *, ago: timedelta | None = None
    ) -> Order:
        """A pending order, its units sold as checkout sells them; `ago` back-dates it."""
        new_lines = tuple(
            NewOrderLine(
                variant_id=variant,
                product_title=f"Product {variant}",
                variant_sku=f"SKU-{variant}",
                quantity=quantity,
                unit_price=Decimal("10.00"),
            )
            for variant, quantity in lines
        )
        saved = self.clock.current
        if ago is not None:
            self.clock.current = saved - ago
        order = await self.orders.add(
            NewOrder(
                user_id=user_id,
                email=f"user{user_id}@example.com",
                lines=new_lines,
                totals=Totals.of(new_lines),
            )
        )
        self.clock.current = saved
        for variant, quantity in lines:
            row = self.stock.items[variant]
            row.on_hand -= quantity
            self.stock.record(row.id, MovementType.OUT, -quantity, "Cart checkout", order_reference(order.id))
        return order

    def on_hand(self, variant: int) -> int:
        return self.stock.items[variant].on_hand

    def status(self, order_id: int) -> OrderStatus:
        return self.orders.orders[order_id].status

    def movements(self, order_id: int) -> list[tuple[int, str, int, str]]:
        return [
            (m.stock_item_id, m.movement_type, m.quantity, m.reason)
            for m in self.stock.movements
            if m.reference == order_reference(order_id)
        ]

    async def consistent(self) -> None:
        assert await self.ledger.mismatches() == ()

    def confirmations(self) -> list[str]:
        return [m.subject for m in self.mail.outbox]

    def cancel(self) -> cancel.CancelOrder:
        return cancel.CancelOrder(self.uow, self.orders, self.ledger, self.clock)

    def pay(self) -> pay.PayOrder:
        return pay.PayOrder(self.uow, self.orders, self.gateway)

    def mark_paid(self) -> confirm.MarkOrderPaid:
        return confirm.MarkOrderPaid(self.uow, self.orders, self.mail, self.clock, POLICY)

    def confirm_payment(self) -> confirm.ConfirmPayment:
        return confirm.ConfirmPayment(self.uow, self.orders, self.mail, self.clock, POLICY)

    def expire(self) -> expire.ExpireUnpaidOrders:
        return expire.ExpireUnpaidOrders(self.uow, self.orders, self.ledger, self.clock, POLICY)


@pytest.fixture
def world() -> World:
    return World()


# --- reads ----------------------------------------------------------------------------------------


async def test_list_shows_only_the_callers_orders_newest_first(world: World) -> None:
    first = await world.place(ANN, [(SHIRT, 1)], ago=timedelta(days=2))
    await world.place(BOB, [(SHIRT, 1)])
    second = await world.place(ANN, [(HAT, 1)], ago=timedelta(days=1))
    list_orders = reads.ListOrders(world.uow, world.orders)

    page = await list_orders(OrderQuery(user_id=ANN))
    assert [order.id for order in page.items] == [second.id, first.id]
    assert page.total == 2
    assert [o.id for o in (await list_orders(OrderQuery(user_id=ANN, number=first.number))).items] == [
        first.id
    ]
    since = world.clock.now() - timedelta(days=1, hours=1)
    assert [o.id for o in (await list_orders(OrderQuery(user_id=ANN, start=since))).items] == [second.id]
    assert [o.id for o in (await list_orders(OrderQuery(user_id=ANN, end=since))).items] == [first.id]
    paged = await list_orders(OrderQuery(user_id=ANN, page=PageRequest(number=2, size=1)))
    assert [o.id for o in paged.items] == [first.id]
    assert world.uow.commits == 0


async def test_get_order_is_for_its_owner_only(world: World) -> None:
    order = await world.place(ANN, [(SHIRT, 2)])
    get_order = reads.GetOrder(world.uow, world.orders)
    assert await get_order(ANN, order.id) == order
    for user, order_id in ((BOB, order.id), (ANN, order.id + 1)):
        with pytest.raises(NotFoundError):
            await get_order(user, order_id)


# --- cancel ---------------------------------------------------------------------------------------


async def test_cancel_restocks_a_pending_order_once(world: World) -> None:
    order = await world.place(ANN, [(SHIRT, 3), (HAT, 2)])
    assert (world.on_hand(SHIRT), world.on_hand(HAT)) == (7, 3)
    world.clock.advance(minutes=5)

    cancelled = await world.cancel()(ANN, order.id)
    assert cancelled.status is OrderStatus.CANCELLED
    assert cancelled.cancelled_at == world.clock.now()
    assert world.orders.orders[order.id] == cancelled
    assert (world.on_hand(SHIRT), world.on_hand(HAT)) == (10, 5)
    shirt_row, hat_row = world.stock.items[SHIRT].id, world.stock.items[HAT].id
    assert world.movements(order.id)[2:] == [
        (shirt_row, "in", 3, "Order cancelled"),
        (hat_row, "in", 2, "Order cancelled"),
    ]
    await world.consistent()
    assert world.uow.commits == 1

    # Cancelled again: the same order, no second restock, nothing committed.
    assert await world.cancel()(ANN, order.id) == cancelled
    assert world.on_hand(SHIRT) == 10
    assert len(world.movements(order.id)) == 4
    assert world.uow.commits == 1
    assert world.mail.outbox == []


async def test_cancel_sums_the_lines_of_one_variant(world: World) -> None:
    order = await world.place(ANN, [(SHIRT, 1), (SHIRT, 2)])
    await world.cancel()(ANN, order.id)
    assert world.on_hand(SHIRT) == 10
    assert [m[2] for m in world.movements(order.id) if m[1] == "in"] == [3]
    await world.consistent()


async def test_a_paid_order_cannot_be_cancelled(world: World) -> None:
    order = await world.place(ANN, [(SHIRT, 1)])
    await world.mark_paid()(order.id)
    with pytest.raises(OrderUpdateError) as refused:
        await world.cancel()(ANN, order.id)
    assert refused.value.detail == "Unable to update order."
    assert world.status(order.id) is OrderStatus.PAID
    assert world.on_hand(SHIRT) == 9
    await world.consistent()


async def test_only_the_owner_or_staff_cancel(world: World) -> None:
    order = await world.place(ANN, [(HAT, 5)])
    with pytest.raises(NotFoundError):
        await world.cancel()(BOB, order.id)
    with pytest.raises(NotFoundError):
        await world.cancel()(None, order.id + 1)
    assert world.status(order.id) is OrderStatus.PENDING
    assert (await world.cancel()(None, order.id)).status is OrderStatus.CANCELLED
    assert world.on_hand(HAT) == 5


# --- pay ------------------------------------------------------------------------------------------


async def test_pay_starts_a_payment_outside_any_transaction_and_never_marks_paid(world: World) -> None:
    order = await world.place(ANN, [(SHIRT, 2)])
    started = await world.pay()(ANN, order.id)
    assert isinstance(started, pay.PaymentStarted)
    assert started.order == order
    assert started.payment == PaymentStart(
        gateway="fake", reference=order.number, instructions="Pay up.", redirect_url="https://pay"
    )
    assert world.gateway.started == [order]
    assert world.status(order.id) is OrderStatus.PENDING
    assert world.uow.commits == 0
    assert world.mail.outbox == []


async def test_pay_a_paid_order_is_a_no_op_and_a_cancelled_one_is_refused(world: World) -> None:
    paid = await world.mark_paid()((await world.place(ANN, [(SHIRT, 1)])).id)
    assert await world.pay()(ANN, paid.id) == paid
    cancelled = await world.cancel()(ANN, (await world.place(ANN, [(HAT, 1)])).id)
    with pytest.raises(OrderUpdateError):
        await world.pay()(ANN, cancelled.id)
    with pytest.raises(NotFoundError):
        await world.pay()(BOB, paid.id)
    assert world.gateway.started == []


async def test_a_gateway_failure_changes_nothing(world: World) -> None:
    order = await world.place(ANN, [(SHIRT, 1)])
    world.gateway.fail = True
    with pytest.raises(ServiceUnavailableError):
        await world.pay()(ANN, order.id)
    assert world.status(order.id) is OrderStatus.PENDING


# --- confirmation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("use_case", ["mark_paid", "confirm_payment"])
async def test_confirming_marks_paid_once_and_sends_one_email(world: World, use_case: str) -> None:
    order = await world.place(ANN, [(SHIRT, 1)])
    world.clock.advance(minutes=3)
    confirm_it = getattr(world, use_case)()

    paid = await confirm_it(order.id)
    assert paid.status is OrderStatus.PAID
    assert paid.paid_at == world.clock.now()
    assert world.orders.orders[order.id] == paid
    for _ in range(3):
        world.clock.advance(minutes=1)
        assert await confirm_it(order.id) == paid
    assert world.uow.commits == 1
    [message] = world.mail.outbox
    assert message.to == "user1@example.com"
    assert message.subject == f"Your order {order.number} is confirmed"
    assert message.body == (
        "Thank you for your purchase!\n\n"
        f"Order: {order.number}\nStatus: paid\n\n"
        f"You can view your order here: https://shop.example.com/orders/{order.id}\n"
    )
    assert world.on_hand(SHIRT) == 9


async def test_confirming_a_cancelled_or_unknown_order_is_refused(world: World) -> None:
    cancelled = await world.cancel()(ANN, (await world.place(ANN, [(SHIRT, 1)])).id)
    with pytest.raises(OrderUpdateError):
        await world.confirm_payment()(cancelled.id)
    with pytest.raises(NotFoundError):
        await world.mark_paid()(cancelled.id + 1)
    assert world.status(cancelled.id) is OrderStatus.CANCELLED
    assert world.mail.outbox == []


async def test_a_mail_failure_never_undoes_the_payment(world: World) -> None:
    order = await world.place(ANN, [(SHIRT, 1)])
    world.mail.fail_next = True
    assert (await world.confirm_payment()(order.id)).status is OrderStatus.PAID
    assert world.status(order.id) is OrderStatus.PAID
    assert world.mail.outbox == []


# --- expiry ---------------------------------------------------------------------------------------


async def test_expiry_cancels_only_old_pending_orders(world: World) -> None:
    old = await world.place(ANN, [(SHIRT, 2)], ago=timedelta(minutes=61))
    recent = await world.place(ANN, [(SHIRT, 1)], ago=timedelta(minutes=59))
    old_paid = await world.place(BOB, [(HAT, 1)], ago=timedelta(hours=5))
    await world.mark_paid()(old_paid.id)
    old_cancelled = await world.place(BOB, [(HAT, 1)], ago=timedelta(hours=5))
    await world.cancel()(BOB, old_cancelled.id)

    assert await world.expire()() == 1
    assert world.status(old.id) is OrderStatus.CANCELLED
    assert world.orders.orders[old.id].cancelled_at == world.clock.now()
    assert world.status(recent.id) is OrderStatus.PENDING
    assert world.status(old_paid.id) is OrderStatus.PAID
    assert world.status(old_cancelled.id) is OrderStatus.CANCELLED
    assert (world.on_hand(SHIRT), world.on_hand(HAT)) == (9, 4)
    assert [m[1:] for m in world.movements(old.id)] == [
        ("out", -2, "Cart checkout"),
        ("in", 2, expire.EXPIRE_REASON),
    ]
    await world.consistent()

    assert await world.expire()() == 0
    assert await world.expire()(world.clock.now() + timedelta(minutes=2)) == 1
    assert world.status(recent.id) is OrderStatus.CANCELLED
    assert world.on_hand(SHIRT) == 10


async def test_expiry_works_in_batches(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expire, "BATCH", 2)
    orders = [await world.place(ANN, [(SHIRT, 1)], ago=timedelta(hours=2)) for _ in range(5)]
    commits = world.uow.commits
    assert await world.expire()() == 5
    assert {world.status(order.id) for order in orders} == {OrderStatus.CANCELLED}
    assert world.uow.commits - commits == 5  # one transaction per order
    assert world.on_hand(SHIRT) == 10
    await world.consistent()


async def test_a_payment_confirmed_during_expiry_wins(world: World) -> None:
    first = await world.place(ANN, [(SHIRT, 1)], ago=timedelta(hours=2))
    second = await world.place(ANN, [(SHIRT, 1)], ago=timedelta(hours=2))
    orders = world.orders
    original_get = orders.get

    async def paid_just_before_the_lock(
        order_id: int, *, user_id: int | None = None, lock: bool = False
    ) -> Order | None:
        if lock and order_id == first.id and orders.orders[order_id].status is OrderStatus.PENDING:
            await orders.set_status(order_id, OrderStatus.PAID, now=world.clock.now())
        return await original_get(order_id, user_id=user_id, lock=lock)

    orders.get = paid_just_before_the_lock  # type: ignore[method-assign]
    assert await world.expire()() == 1
    assert world.status(first.id) is OrderStatus.PAID
    assert world.status(second.id) is OrderStatus.CANCELLED
    assert world.on_hand(SHIRT) == 9
    assert [m[1] for m in world.movements(first.id)] == ["out"]
