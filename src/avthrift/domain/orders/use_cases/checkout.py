"""Checkout (reference §3.3, contract §7): the signed-in user's active cart becomes a pending order.

In one transaction: lock the cart (a second checkout of it waits, then finds it ordered: one order);
lock the stock rows of its variants in ascending id (no deadlock between two checkouts, reference
§7.2 #20; from then on nobody can reclaim our lapsed holds); give every line whose hold ended a new
hold if stock allows, else refuse with `ReservationLapsedError` naming those lines, nothing changed
(§7.2 #4); create the order with its stored totals; turn the holds into sales (stock leaves on hand,
`out` movements); empty the cart and mark it ordered; record the idempotent answer, when there is
one, in the same transaction if the store joins it (SQL: the order and its answer commit together).
A store that cannot (Redis) is left to the HTTP layer, which records the answer after the commit as
on every other route: recording it here would be a network call while the cart and stock rows are
locked (rule 11), and would outlive a failed commit. The "order received" email goes out after the
commit.
"""

import dataclasses
from collections.abc import Callable
from datetime import datetime

from avthrift.domain.cart.model import Cart, CartLine, CartOwner, CartPolicy, CartStatus
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.cart.use_cases._lines import take_stock
from avthrift.domain.identity.ports import UserRepository
from avthrift.domain.inventory.errors import InsufficientStockError
from avthrift.domain.inventory.model import HoldState
from avthrift.domain.inventory.ports import StockReserver
from avthrift.domain.orders.emails import order_received
from avthrift.domain.orders.errors import CartEmptyError, ReservationLapsedError
from avthrift.domain.orders.model import (
    CheckoutResult,
    NewOrder,
    NewOrderLine,
    OrderPolicy,
    Totals,
    order_reference,
)
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.shared.email import EmailSender, send_after_commit
from avthrift.domain.shared.errors import ConflictError, NotFoundError
from avthrift.domain.shared.idempotency import IdempotencyStore, PendingRecord, StoredResponse
from avthrift.domain.shared.ports import Clock, UnitOfWork

type Render = Callable[[CheckoutResult], StoredResponse]


class Checkout:
    def __init__(
        self,
        uow: UnitOfWork,
        carts: CartRepository,
        stock: StockReserver,
        orders: OrderRepository,
        users: UserRepository,
        idempotency: IdempotencyStore,
        emails: EmailSender,
        clock: Clock,
        cart_policy: CartPolicy,
        policy: OrderPolicy,
    ) -> None:
        self._uow, self._carts, self._stock, self._orders = uow, carts, stock, orders
        self._users, self._idempotency, self._emails, self._clock = users, idempotency, emails, clock
        self._cart_policy, self._policy = cart_policy, policy

    async def __call__(
        self, user_id: int, record: PendingRecord | None = None, render: Render | None = None
    ) -> CheckoutResult:
        """`record` and `render`: the claimed `Idempotency-Key` and how the HTTP layer answers, so
        the stored answer commits with the order when the store joins the transaction."""
        now = self._clock.now()
        async with self._uow:
            user = await self._users.get(user_id)
            if user is None:
                raise NotFoundError
            cart = await self._carts.active(CartOwner.user(user_id))
            if cart is None or not cart.lines:
                raise CartEmptyError
            await self._stock.lock([line.variant_id for line in cart.lines])
            lines = await self._hold_every_line(cart, now)
            new_lines = tuple(
                NewOrderLine(
                    variant_id=line.variant_id,
                    product_title=line.product_title,
                    variant_sku=line.variant_sku,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                )
                for line in lines
            )
            order = await self._orders.add(
                NewOrder(user_id=user_id, email=user.email, lines=new_lines, totals=Totals.of(new_lines))
            )
            holds = [line.reservation_id for line in lines if line.reservation_id is not None]
            if await self._stock.convert(holds, reference=order_reference(order.id)) != len(lines):
                raise ConflictError("The cart changed during checkout; try again.")
            await self._carts.delete_lines(cart.id, [line.id for line in lines])
            await self._carts.mark(cart.id, lines_changed_at=now, status=CartStatus.ORDERED)
            result = CheckoutResult(order_id=order.id, order_number=order.number)
            if record is not None and render is not None and self._idempotency.joins_transaction:
                await self._idempotency.complete(record, render(result))
            await self._uow.commit()
        await send_after_commit(self._emails, order_received(order, self._policy))
        return result

    async def _hold_every_line(self, cart: Cart, now: datetime) -> list[CartLine]:
        """Each line with an active hold of its quantity: a hold that lapsed but is still active
        is ours (the stock rows are locked, nobody can reclaim it now); an ended one is taken
        anew. `ReservationLapsedError` names the lines that could not be."""
        holds = await self._stock.holds(cart.hold_ids())
        expires_at = now + self._cart_policy.reservation_ttl
        ready: list[CartLine] = []
        lapsed: list[CartLine] = []
        for line in sorted(cart.lines, key=lambda line: line.variant_id):
            hold = holds.get(line.reservation_id) if line.reservation_id is not None else None
            if hold is not None and hold.state is HoldState.ACTIVE and hold.quantity == line.quantity:
                ready.append(line)
                continue
            try:
                taken = await take_stock(
                    self._stock,
                    cart,
                    line if hold is not None else None,
                    line.variant_id,
                    line.quantity,
                    expires_at=expires_at,
                    now=now,
                )
            except InsufficientStockError:
                lapsed.append(line)
                continue
            ready.append(dataclasses.replace(line, reservation_id=taken.id))
        if lapsed:
            raise ReservationLapsedError(
                lines=[line.id for line in lapsed], variants=[line.variant_id for line in lapsed]
            )
        return ready
