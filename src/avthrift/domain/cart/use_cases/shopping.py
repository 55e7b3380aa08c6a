"""A shopper's own cart (reference §1.8, §3.2; contract §7): read, add, update, remove, clear and
abandon, for a signed-in user or a guest session alike (`CartOwner`).

Every change of a line takes or resizes that line's stock hold first (nothing changes when stock is
short: `InsufficientStockError`), then renews the holds of the other lines and stamps the cart's
last line change. A line of any cart but the owner's active one is `NotFoundError`, exactly like a
line that does not exist. Reading a guest cart never creates it.
"""

import dataclasses

from avthrift.domain.cart.model import (
    CartOwner,
    CartPolicy,
    CartStatus,
    CartVariant,
    CartView,
    LineView,
    empty_view,
)
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.cart.use_cases._lines import empty, renew, take_stock, view
from avthrift.domain.inventory.ports import StockReserver
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.ports import Clock, UnitOfWork


async def _on_sale(carts: CartRepository, variant_id: int) -> CartVariant:
    """Only active variants of published products go into carts (reference §7.2 #13)."""
    variant = (await carts.variants([variant_id])).get(variant_id)
    if variant is None or not variant.sellable:
        raise NotFoundError
    return variant


class GetCart:
    """A user's cart is created on first read; a guest's is not (an empty cart with `id` `None`)."""

    def __init__(self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock) -> None:
        self._uow, self._carts, self._stock, self._clock = uow, carts, stock, clock

    async def __call__(self, owner: CartOwner) -> CartView:
        now = self._clock.now()
        async with self._uow:
            if owner.is_guest:
                cart = await self._carts.active(owner, lock=False)
                return empty_view(owner) if cart is None else await view(self._stock, cart, now)
            cart = await self._carts.fetch_or_create(owner, now=now, lock=False)
            result = await view(self._stock, cart, now)
            await self._uow.commit()
        return result


class AddItem:
    """Adds `quantity` units of a variant; a variant already in the cart gets the quantities added
    up. The first write of a guest creates the guest's cart."""

    def __init__(
        self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock, policy: CartPolicy
    ) -> None:
        self._uow, self._carts, self._stock, self._clock, self._policy = uow, carts, stock, clock, policy

    async def __call__(self, owner: CartOwner, variant_id: int, quantity: int) -> LineView:
        self._policy.check_quantity(quantity)
        async with self._uow:
            variant = await _on_sale(self._carts, variant_id)
            now = self._clock.now()
            cart = await self._carts.fetch_or_create(owner, now=now)
            line = cart.line_for(variant_id)
            already = line.quantity if line is not None else 0
            self._policy.check_quantity(already + quantity, already=already)
            if line is None:
                self._policy.check_lines(len(cart.lines) + 1)
            expires_at = now + self._policy.reservation_ttl
            hold = await take_stock(
                self._stock, cart, line, variant_id, already + quantity, expires_at=expires_at, now=now
            )
            if line is None:
                line = await self._carts.add_line(cart.id, variant, quantity, variant.unit_price, hold.id)
            else:
                line = dataclasses.replace(
                    line, quantity=already + quantity, unit_price=variant.unit_price, reservation_id=hold.id
                )
                await self._carts.update_line(cart.id, line)
            await renew(self._stock, cart.hold_ids(except_line=line.id), expires_at=expires_at, now=now)
            await self._carts.mark(cart.id, lines_changed_at=now)
            await self._uow.commit()
        return LineView(line=line, reserved_until=hold.expires_at)


class UpdateItem:
    """Sets the quantity of a line of the owner's active cart (the variant must still be on sale)."""

    def __init__(
        self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock, policy: CartPolicy
    ) -> None:
        self._uow, self._carts, self._stock, self._clock, self._policy = uow, carts, stock, clock, policy

    async def __call__(self, owner: CartOwner, item_id: int, quantity: int) -> LineView:
        async with self._uow:
            cart = await self._carts.active(owner)
            line = None if cart is None else cart.line(item_id)
            if cart is None or line is None:
                raise NotFoundError
            self._policy.check_quantity(quantity)
            variant = await _on_sale(self._carts, line.variant_id)
            now = self._clock.now()
            expires_at = now + self._policy.reservation_ttl
            hold = await take_stock(
                self._stock, cart, line, line.variant_id, quantity, expires_at=expires_at, now=now
            )
            line = dataclasses.replace(
                line, quantity=quantity, unit_price=variant.unit_price, reservation_id=hold.id
            )
            await self._carts.update_line(cart.id, line)
            await renew(self._stock, cart.hold_ids(except_line=line.id), expires_at=expires_at, now=now)
            await self._carts.mark(cart.id, lines_changed_at=now)
            await self._uow.commit()
        return LineView(line=line, reserved_until=hold.expires_at)


class RemoveItem:
    """Deletes a line of the owner's active cart and gives its held stock back."""

    def __init__(
        self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock, policy: CartPolicy
    ) -> None:
        self._uow, self._carts, self._stock, self._clock, self._policy = uow, carts, stock, clock, policy

    async def __call__(self, owner: CartOwner, item_id: int) -> None:
        async with self._uow:
            cart = await self._carts.active(owner)
            line = None if cart is None else cart.line(item_id)
            if cart is None or line is None:
                raise NotFoundError
            now = self._clock.now()
            if line.reservation_id is not None:
                await self._stock.release([line.reservation_id])
            await self._carts.delete_lines(cart.id, [line.id])
            expires_at = now + self._policy.reservation_ttl
            await renew(self._stock, cart.hold_ids(except_line=line.id), expires_at=expires_at, now=now)
            await self._carts.mark(cart.id, lines_changed_at=now)
            await self._uow.commit()


class ClearCart:
    """Empties the owner's active cart and gives its held stock back; the cart stays active. An
    owner without a cart has nothing to clear (and nothing is created)."""

    def __init__(self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock) -> None:
        self._uow, self._carts, self._stock, self._clock = uow, carts, stock, clock

    async def __call__(self, owner: CartOwner) -> None:
        async with self._uow:
            cart = await self._carts.active(owner)
            if cart is None:
                return
            await empty(self._carts, self._stock, cart, self._clock.now())
            await self._uow.commit()


class AbandonCart:
    """Gives the held stock back, empties the cart and marks it abandoned; the next access starts a
    new cart. An owner without a cart has nothing to abandon."""

    def __init__(self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock) -> None:
        self._uow, self._carts, self._stock, self._clock = uow, carts, stock, clock

    async def __call__(self, owner: CartOwner) -> None:
        async with self._uow:
            cart = await self._carts.active(owner)
            if cart is None:
                return
            await empty(self._carts, self._stock, cart, self._clock.now(), CartStatus.ABANDONED)
            await self._uow.commit()
