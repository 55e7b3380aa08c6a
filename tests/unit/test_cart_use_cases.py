"""Cart use cases against in-memory fakes (reference §3.2, §3.6; contract §7): user and guest carts,
stock holds, limits, merge, staff actions on the selected cart and stale-cart abandonment."""

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from avthrift.domain.cart.errors import (
    CartLinesLimitError,
    CartNotActiveError,
    InvalidSessionIdError,
    LineQuantityLimitError,
    MergeFailedError,
    MissingSessionIdError,
)
from avthrift.domain.cart.model import (
    Cart,
    CartOwner,
    CartPolicy,
    CartQuery,
    CartStatus,
    CartVariant,
    guest_session_id,
    hold_reference,
)
from avthrift.domain.cart.use_cases import merge, shopping, staff, stale
from avthrift.domain.inventory.errors import InsufficientStockError
from avthrift.domain.inventory.model import Hold, HoldState
from avthrift.domain.shared.errors import NotFoundError
from tests.fakes import (
    FakeCartRepository,
    FakeStock,
    FakeStockLedger,
    FakeStockReserver,
    FakeUnitOfWork,
    FixedClock,
)

ANN, BOB = 1, 2
GUEST = "g" * 32
OTHER_GUEST = "h" * 40
SHIRT, HAT, SCARF, DRAFT, HIDDEN, FREE = 10, 11, 12, 13, 14, 15
POLICY = CartPolicy(
    reservation_ttl=timedelta(minutes=30),
    abandon_ttl=timedelta(minutes=120),
    max_line_quantity=10,
    max_lines=3,
)


def _variant(variant_id: int, price: str | None = "10.00", *, sellable: bool = True) -> CartVariant:
    return CartVariant(
        id=variant_id,
        price=None if price is None else Decimal(price),
        sellable=sellable,
        product_title=f"Product {variant_id}",
        sku=f"SKU-{variant_id}",
    )


@dataclass
class Shop:
    uow: FakeUnitOfWork
    carts: FakeCartRepository
    stock: FakeStock
    reserver: FakeStockReserver
    clock: FixedClock
    policy: CartPolicy = POLICY

    def get(self) -> shopping.GetCart:
        return shopping.GetCart(self.uow, self.carts, self.reserver, self.clock)

    def add(self) -> shopping.AddItem:
        return shopping.AddItem(self.uow, self.carts, self.reserver, self.clock, self.policy)

    def update(self) -> shopping.UpdateItem:
        return shopping.UpdateItem(self.uow, self.carts, self.reserver, self.clock, self.policy)

    def remove(self) -> shopping.RemoveItem:
        return shopping.RemoveItem(self.uow, self.carts, self.reserver, self.clock, self.policy)

    def clear(self) -> shopping.ClearCart:
        return shopping.ClearCart(self.uow, self.carts, self.reserver, self.clock)

    def abandon(self) -> shopping.AbandonCart:
        return shopping.AbandonCart(self.uow, self.carts, self.reserver, self.clock)

    def merge(self) -> merge.MergeGuestCart:
        return merge.MergeGuestCart(self.uow, self.carts, self.reserver, self.clock, self.policy)

    def stale(self) -> stale.AbandonStaleCarts:
        return stale.AbandonStaleCarts(self.uow, self.carts, self.reserver, self.clock, self.policy)

    async def cart(self, owner: CartOwner) -> Cart:
        cart = await self.carts.active(owner)
        assert cart is not None
        return cart

    def hold(self, hold_id: int | None) -> Hold:
        assert hold_id is not None
        return self.stock.holds[hold_id]

    def reserved(self, variant_id: int) -> int:
        return self.stock.items[variant_id].reserved

    async def consistent(self) -> None:
        assert await FakeStockLedger(self.stock).mismatches() == ()

    def snapshot(self) -> tuple[object, ...]:
        """Everything a failed use case must leave as it was."""
        return (
            {cart_id: dataclasses.replace(row) for cart_id, row in self.carts.carts.items()},
            dict(self.carts.lines),
            dict(self.stock.holds),
            {v: (row.on_hand, row.reserved) for v, row in self.stock.items.items()},
        )


@pytest.fixture
def shop() -> Shop:
    variants = [
        _variant(SHIRT, "10.00"),
        _variant(HAT, "25.50"),
        _variant(SCARF, "7.25"),
        _variant(DRAFT, sellable=False),
        _variant(HIDDEN, sellable=False),
        _variant(FREE, None),
    ]
    stock = FakeStock()
    for variant_id, on_hand in ((SHIRT, 5), (HAT, 1), (SCARF, 20), (DRAFT, 5), (FREE, 5)):
        stock.seed(variant_id, on_hand)
    return Shop(
        FakeUnitOfWork(),
        FakeCartRepository(variants, users={ANN, BOB}),
        stock,
        FakeStockReserver(stock),
        FixedClock(),
    )


USER, OTHER_USER = CartOwner.user(ANN), CartOwner.user(BOB)
GUEST_OWNER, OTHER_GUEST_OWNER = CartOwner.guest(GUEST), CartOwner.guest(OTHER_GUEST)


# --- session ids -----------------------------------------------------------------------------------


def test_the_header_wins_over_the_body() -> None:
    assert guest_session_id("a" * 32, "b" * 32) == "a" * 32
    assert guest_session_id(None, "b" * 32) == "b" * 32
    assert guest_session_id("", "b" * 64) == "b" * 64


@pytest.mark.parametrize(
    ("header", "body"),
    [("a" * 31, None), ("a" * 65, None), ("a" * 31 + "!", None), (None, "short"), ("a" * 32, "bad id")],
)
def test_malformed_session_ids_are_refused(header: str | None, body: str | None) -> None:
    with pytest.raises(InvalidSessionIdError) as caught:
        guest_session_id(header, body)
    assert caught.value.detail == "Invalid X-Session-Id."


def test_a_missing_session_id_is_refused() -> None:
    for header, body in ((None, None), ("", None), ("", "")):
        with pytest.raises(MissingSessionIdError) as caught:
            guest_session_id(header, body)
        assert caught.value.detail == "Missing X-Session-Id."


def test_a_uuid4_qualifies() -> None:
    assert guest_session_id("0b6b2d3e-5f1c-4c47-9f65-2a8e6b1f7c9d")
    assert guest_session_id("A_z-9" * 12 + "abcd")


# --- reads -----------------------------------------------------------------------------------------


async def test_reading_an_unknown_guest_cart_creates_nothing(shop: Shop) -> None:
    view = await shop.get()(GUEST_OWNER)
    assert (view.id, view.lines, view.subtotal, view.item_count) == (None, (), Decimal("0.00"), 0)
    assert shop.carts.carts == {}
    assert shop.uow.commits == 0


async def test_a_users_cart_is_created_on_first_read(shop: Shop) -> None:
    view = await shop.get()(USER)
    again = await shop.get()(USER)
    assert view.id is not None
    assert again.id == view.id
    assert len(shop.carts.carts) == 1
    assert shop.carts.carts[view.id].lines_changed_at == shop.clock.now()


# --- add, update, remove ---------------------------------------------------------------------------


@pytest.mark.parametrize("owner", [USER, GUEST_OWNER])
async def test_adding_holds_stock_and_snapshots_the_price(shop: Shop, owner: CartOwner) -> None:
    line = await shop.add()(owner, SHIRT, 2)
    cart = await shop.cart(owner)
    hold = shop.hold(line.line.reservation_id)
    assert (line.line.quantity, line.line.unit_price, line.line.line_total) == (
        2,
        Decimal("10.00"),
        Decimal("20.00"),
    )
    assert line.reserved_until == shop.clock.now() + timedelta(minutes=30) == hold.expires_at
    assert (hold.variant_id, hold.quantity, hold.reference) == (SHIRT, 2, hold_reference(cart.id))
    assert shop.reserved(SHIRT) == 2
    assert cart.lines_changed_at == shop.clock.now()
    assert shop.uow.commits == 1
    await shop.consistent()


async def test_adding_a_variant_already_in_the_cart_adds_the_quantities(shop: Shop) -> None:
    first = await shop.add()(USER, SHIRT, 2)
    shop.clock.advance(minutes=5)
    second = await shop.add()(USER, SHIRT, 3)
    assert second.line.id == first.line.id
    assert second.line.quantity == 5
    assert shop.hold(second.line.reservation_id).quantity == 5
    assert shop.reserved(SHIRT) == 5
    assert len((await shop.cart(USER)).lines) == 1
    await shop.consistent()


async def test_a_null_price_counts_as_zero(shop: Shop) -> None:
    line = await shop.add()(USER, FREE, 1)
    assert (line.line.unit_price, line.line.line_total) == (Decimal("0.00"), Decimal("0.00"))


@pytest.mark.parametrize("variant_id", [DRAFT, HIDDEN, 999, 2**70])
async def test_only_variants_on_sale_can_be_added(shop: Shop, variant_id: int) -> None:
    with pytest.raises(NotFoundError):
        await shop.add()(GUEST_OWNER, variant_id, 1)
    assert shop.carts.carts == {}
    assert shop.reserved(DRAFT) == 0


async def test_a_line_holds_at_most_the_quantity_limit(shop: Shop) -> None:
    with pytest.raises(LineQuantityLimitError) as caught:
        await shop.add()(USER, SCARF, 11)
    assert caught.value.extra["invalid_params"][0]["name"] == "quantity"
    await shop.add()(USER, SCARF, 7)
    before = shop.snapshot()
    with pytest.raises(LineQuantityLimitError) as caught:
        await shop.add()(USER, SCARF, 4)
    assert "7 already in the cart" in caught.value.detail
    assert shop.snapshot() == before
    assert (await shop.add()(USER, SCARF, 3)).line.quantity == 10


async def test_a_cart_holds_at_most_the_line_limit(shop: Shop) -> None:
    for variant_id in (SHIRT, HAT, SCARF):
        await shop.add()(USER, variant_id, 1)
    before = shop.snapshot()
    with pytest.raises(CartLinesLimitError) as caught:
        await shop.add()(USER, FREE, 1)
    assert caught.value.code == "too_many_lines"
    assert shop.snapshot() == before
    assert (await shop.add()(USER, SHIRT, 1)).line.quantity == 2  # an existing line is no new line


async def test_not_enough_stock_on_add_changes_nothing(shop: Shop) -> None:
    await shop.add()(USER, SHIRT, 3)
    await shop.add()(OTHER_USER, SHIRT, 1)
    before = shop.snapshot()
    with pytest.raises(InsufficientStockError) as caught:
        await shop.add()(USER, SHIRT, 2)
    assert (caught.value.code, caught.value.detail) == ("insufficient_stock", "Unable to update cart.")
    assert caught.value.available == 4  # one unit free plus the line's own three
    assert shop.snapshot() == before
    assert shop.uow.rollbacks == 1


async def test_a_guests_first_write_that_fails_leaves_no_cart_behind(shop: Shop) -> None:
    await shop.add()(USER, HAT, 1)
    with pytest.raises(InsufficientStockError) as caught:
        await shop.add()(GUEST_OWNER, HAT, 1)
    assert caught.value.available == 0
    assert shop.uow.commits == 1  # only the user's add: the guest's cart is rolled back


async def test_updating_sets_the_quantity_and_renews_the_other_holds(shop: Shop) -> None:
    shirt = await shop.add()(USER, SHIRT, 1)
    hat = await shop.add()(USER, HAT, 1)
    shop.clock.advance(minutes=20)
    updated = await shop.update()(USER, shirt.line.id, 4)
    expiry = shop.clock.now() + timedelta(minutes=30)
    assert (updated.line.quantity, updated.reserved_until) == (4, expiry)
    assert shop.hold(hat.line.reservation_id).expires_at == expiry
    assert shop.reserved(SHIRT) == 4
    assert (await shop.cart(USER)).lines_changed_at == shop.clock.now()
    await shop.consistent()


async def test_not_enough_stock_on_update_changes_nothing(shop: Shop) -> None:
    line = await shop.add()(GUEST_OWNER, SHIRT, 2)
    before = shop.snapshot()
    with pytest.raises(InsufficientStockError) as caught:
        await shop.update()(GUEST_OWNER, line.line.id, 6)
    assert caught.value.available == 5
    assert shop.snapshot() == before


async def test_a_lapsed_line_is_shown_with_a_warning_and_not_renewed(shop: Shop) -> None:
    shirt = await shop.add()(USER, SHIRT, 1)
    shop.clock.advance(minutes=31)
    await shop.add()(USER, HAT, 1)
    view = await shop.get()(USER)
    lines = {line.line.variant_id: line for line in view.lines}
    assert lines[SHIRT].reserved_until is None
    assert lines[HAT].reserved_until == shop.clock.now() + timedelta(minutes=30)
    assert [(w.item_id, w.code) for w in view.warnings] == [(shirt.line.id, "reservation_lapsed")]
    # Updating the lapsed line takes a fresh hold.
    renewed = await shop.update()(USER, shirt.line.id, 1)
    assert renewed.reserved_until == shop.clock.now() + timedelta(minutes=30)
    assert (await shop.get()(USER)).warnings == ()


async def test_removing_a_line_gives_its_stock_back(shop: Shop) -> None:
    line = await shop.add()(USER, SHIRT, 2)
    await shop.remove()(USER, line.line.id)
    assert shop.reserved(SHIRT) == 0
    assert shop.hold(line.line.reservation_id).state is HoldState.RELEASED
    assert (await shop.cart(USER)).lines == ()
    await shop.consistent()


@pytest.mark.parametrize(
    ("owner", "intruder"),
    [(USER, OTHER_USER), (GUEST_OWNER, USER), (USER, GUEST_OWNER), (GUEST_OWNER, OTHER_GUEST_OWNER)],
)
async def test_other_peoples_items_are_not_found(shop: Shop, owner: CartOwner, intruder: CartOwner) -> None:
    line = await shop.add()(owner, SHIRT, 1)
    await shop.get()(intruder)
    before = shop.snapshot()
    with pytest.raises(NotFoundError):
        await shop.update()(intruder, line.line.id, 2)
    with pytest.raises(NotFoundError):
        await shop.remove()(intruder, line.line.id)
    assert shop.snapshot() == before


async def test_an_unknown_guest_item_creates_nothing(shop: Shop) -> None:
    with pytest.raises(NotFoundError):
        await shop.update()(GUEST_OWNER, 1, 1)
    with pytest.raises(NotFoundError):
        await shop.remove()(GUEST_OWNER, 1)
    assert shop.carts.carts == {}


# --- clear and abandon -----------------------------------------------------------------------------


async def test_clearing_releases_every_hold_and_keeps_the_cart(shop: Shop) -> None:
    await shop.add()(GUEST_OWNER, SHIRT, 2)
    await shop.add()(GUEST_OWNER, HAT, 1)
    cart_id = (await shop.cart(GUEST_OWNER)).id
    await shop.clear()(GUEST_OWNER)
    cart = await shop.cart(GUEST_OWNER)
    assert (cart.id, cart.lines, cart.status) == (cart_id, (), CartStatus.ACTIVE)
    assert (shop.reserved(SHIRT), shop.reserved(HAT)) == (0, 0)
    await shop.consistent()


async def test_clearing_or_abandoning_without_a_cart_creates_nothing(shop: Shop) -> None:
    await shop.clear()(GUEST_OWNER)
    await shop.abandon()(USER)
    assert shop.carts.carts == {}


async def test_abandoning_releases_the_holds_and_the_next_access_starts_a_new_cart(shop: Shop) -> None:
    await shop.add()(USER, SHIRT, 2)
    old = await shop.cart(USER)
    await shop.abandon()(USER)
    assert shop.carts.carts[old.id].status is CartStatus.ABANDONED
    assert shop.reserved(SHIRT) == 0
    assert await shop.carts.active(USER) is None
    fresh = await shop.get()(USER)
    assert fresh.id != old.id
    assert fresh.lines == ()
    await shop.consistent()


# --- merge -----------------------------------------------------------------------------------------


async def test_a_guest_holding_the_last_unit_merges_it(shop: Shop) -> None:
    await shop.add()(GUEST_OWNER, HAT, 1)  # stock 1: the guest holds all of it
    guest_cart = await shop.cart(GUEST_OWNER)
    await shop.merge()(ANN, GUEST)
    cart = await shop.cart(USER)
    assert [(line.variant_id, line.quantity) for line in cart.lines] == [(HAT, 1)]
    assert shop.hold(cart.lines[0].reservation_id).reference == hold_reference(cart.id)
    assert shop.reserved(HAT) == 1
    assert guest_cart.id not in shop.carts.carts
    await shop.consistent()


async def test_a_merge_that_exactly_fits_the_stock_succeeds(shop: Shop) -> None:
    await shop.add()(GUEST_OWNER, SHIRT, 3)  # stock 5
    await shop.add()(USER, SHIRT, 2)
    await shop.add()(USER, SCARF, 1)
    await shop.add()(GUEST_OWNER, FREE, 2)
    await shop.merge()(ANN, GUEST)
    cart = await shop.cart(USER)
    assert {line.variant_id: line.quantity for line in cart.lines} == {SHIRT: 5, SCARF: 1, FREE: 2}
    held = {line.variant_id: shop.hold(line.reservation_id).quantity for line in cart.lines}
    assert held == {SHIRT: 5, SCARF: 1, FREE: 2}
    assert (shop.reserved(SHIRT), shop.reserved(FREE)) == (5, 2)
    assert await shop.carts.active(GUEST_OWNER) is None
    assert cart.lines_changed_at == shop.clock.now()
    await shop.consistent()


async def test_a_merge_short_of_stock_fails_whole(shop: Shop) -> None:
    await shop.add()(GUEST_OWNER, SHIRT, 1)
    await shop.add()(GUEST_OWNER, HAT, 1)  # the last hat
    shop.clock.advance(minutes=31)  # the guest's holds lapse; Bob takes the hat meanwhile
    await shop.add()(OTHER_USER, HAT, 1)
    commits, rollbacks = shop.uow.commits, shop.uow.rollbacks
    with pytest.raises(MergeFailedError) as caught:
        await shop.merge()(ANN, GUEST)
    assert (caught.value.code, caught.value.detail) == ("merge_failed", "Unable to merge cart.")
    assert (caught.value.extra["variant_id"], caught.value.extra["available"]) == (HAT, 0)
    # Nothing is committed (the fakes do not roll back; the contract and API suites check the rows).
    assert (shop.uow.commits, shop.uow.rollbacks) == (commits, rollbacks + 1)


async def test_merge_limits_apply_to_the_sums_and_change_nothing(shop: Shop) -> None:
    await shop.add()(GUEST_OWNER, SCARF, 6)
    await shop.add()(USER, SCARF, 5)
    before = shop.snapshot()
    with pytest.raises(MergeFailedError) as caught:
        await shop.merge()(ANN, GUEST)
    assert caught.value.extra["invalid_params"][0]["name"] == "quantity"
    assert shop.snapshot() == before

    await shop.add()(GUEST_OWNER, SHIRT, 1)
    await shop.add()(GUEST_OWNER, HAT, 1)
    await shop.add()(USER, FREE, 1)
    await shop.update()(GUEST_OWNER, (await shop.cart(GUEST_OWNER)).lines[0].id, 1)
    before = shop.snapshot()
    with pytest.raises(MergeFailedError):  # 4 distinct variants, at most 3 lines
        await shop.merge()(ANN, GUEST)
    assert shop.snapshot() == before


async def test_merging_an_unknown_session_is_a_no_op(shop: Shop) -> None:
    await shop.merge()(ANN, GUEST)
    assert shop.carts.carts == {}


async def test_merging_an_empty_guest_cart_deletes_it(shop: Shop) -> None:
    line = await shop.add()(GUEST_OWNER, SHIRT, 1)
    await shop.remove()(GUEST_OWNER, line.line.id)
    await shop.merge()(ANN, GUEST)
    assert shop.carts.carts == {}


# --- staff -----------------------------------------------------------------------------------------


def _staff(shop: Shop) -> tuple[staff.ClearCartById, staff.AbandonCartById, staff.MergeCartInto]:
    return (
        staff.ClearCartById(shop.uow, shop.carts, shop.reserver, shop.clock),
        staff.AbandonCartById(shop.uow, shop.carts, shop.reserver, shop.clock),
        staff.MergeCartInto(shop.uow, shop.carts, shop.reserver, shop.clock, shop.policy),
    )


async def test_staff_actions_act_on_the_selected_cart(shop: Shop) -> None:
    clear, abandon, merge_into = _staff(shop)
    await shop.add()(USER, SHIRT, 1)
    old = await shop.cart(USER)
    await shop.abandon()(USER)
    await shop.add()(USER, HAT, 1)
    current = await shop.cart(USER)
    before = shop.snapshot()
    for action in (clear, abandon):
        with pytest.raises(CartNotActiveError):
            await action(old.id)
    with pytest.raises(CartNotActiveError):
        await merge_into(old.id, BOB)
    assert shop.snapshot() == before  # the user's current cart is untouched

    await abandon(current.id)
    assert shop.carts.carts[current.id].status is CartStatus.ABANDONED
    assert shop.reserved(HAT) == 0
    with pytest.raises(NotFoundError):
        await clear(10_000)
    await shop.consistent()


async def test_staff_merge_moves_the_selected_cart_into_a_users_cart(shop: Shop) -> None:
    _, _, merge_into = _staff(shop)
    await shop.add()(GUEST_OWNER, HAT, 1)
    await shop.add()(OTHER_USER, SHIRT, 2)
    guest_cart, bob_cart = await shop.cart(GUEST_OWNER), await shop.cart(OTHER_USER)
    await merge_into(guest_cart.id, ANN)
    await merge_into(bob_cart.id, ANN)
    cart = await shop.cart(USER)
    assert {line.variant_id: line.quantity for line in cart.lines} == {HAT: 1, SHIRT: 2}
    assert guest_cart.id not in shop.carts.carts
    assert bob_cart.id not in shop.carts.carts
    await merge_into(cart.id, ANN)  # into itself: nothing to do
    assert (await shop.cart(USER)).lines == cart.lines
    with pytest.raises(NotFoundError):
        await merge_into(cart.id, 404)
    await shop.consistent()


async def test_staff_list_filters_by_status_and_user(shop: Shop) -> None:
    await shop.add()(USER, SHIRT, 2)
    await shop.abandon()(USER)
    await shop.add()(USER, HAT, 1)
    await shop.add()(GUEST_OWNER, SCARF, 3)
    listing = staff.ListCarts(shop.uow, shop.carts)
    every = await listing(CartQuery())
    assert [(s.owner, s.status, s.item_count) for s in every.items] == [
        (GUEST_OWNER, CartStatus.ACTIVE, 3),
        (USER, CartStatus.ACTIVE, 1),
        (USER, CartStatus.ABANDONED, 0),
    ]
    assert [s.id for s in (await listing(CartQuery(user_id=ANN, status=CartStatus.ACTIVE))).items] == [
        (await shop.cart(USER)).id
    ]


# --- stale carts -----------------------------------------------------------------------------------


async def test_stale_carts_are_abandoned_by_their_last_line_change(shop: Shop) -> None:
    await shop.add()(USER, SHIRT, 1)  # created at T0
    await shop.add()(GUEST_OWNER, HAT, 1)  # created at T0, never changed again
    shop.clock.advance(minutes=100)
    await shop.add()(USER, SHIRT, 1)  # changed at T0+100
    shop.clock.advance(minutes=50)  # T0+150: both carts are older than 120 minutes
    assert await shop.stale()() == 1
    assert (await shop.cart(USER)).lines[0].quantity == 2
    assert await shop.carts.active(GUEST_OWNER) is None
    assert shop.reserved(HAT) == 0
    shop.clock.advance(minutes=71)
    assert await shop.stale()() == 1
    assert await shop.carts.active(USER) is None
    assert await shop.stale()() == 0
    await shop.consistent()


async def test_stale_abandonment_walks_every_batch(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stale, "BATCH", 2)
    for number in range(5):
        await shop.add()(CartOwner.guest(f"{number}" * 32), SCARF, 1)
    shop.clock.advance(minutes=121)
    assert await shop.stale()() == 5
    assert shop.reserved(SCARF) == 0
