"""Staff cart actions (reference §5.1; contract §7): list and read any cart, and clear, abandon or
merge THE SELECTED cart (the reference acts on the owner's current cart instead, §7.2 #15).
Actions change active carts only (`CartNotActiveError` otherwise)."""

from avthrift.domain.cart.errors import CartNotActiveError
from avthrift.domain.cart.model import (
    Cart,
    CartOwner,
    CartPolicy,
    CartQuery,
    CartStatus,
    CartSummary,
    CartView,
)
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.cart.use_cases._lines import empty, lock_pair, merge, view
from avthrift.domain.inventory.ports import StockReserver
from avthrift.domain.shared.errors import ConflictError, NotFoundError
from avthrift.domain.shared.pagination import Page
from avthrift.domain.shared.ports import Clock, UnitOfWork


async def _active(carts: CartRepository, cart_id: int) -> Cart:
    cart = await carts.get(cart_id, lock=True)
    if cart is None:
        raise NotFoundError
    if cart.status is not CartStatus.ACTIVE:
        raise CartNotActiveError
    return cart


class ListCarts:
    def __init__(self, uow: UnitOfWork, carts: CartRepository) -> None:
        self._uow, self._carts = uow, carts

    async def __call__(self, query: CartQuery) -> Page[CartSummary]:
        async with self._uow:
            return await self._carts.search(query)


class GetCartById:
    def __init__(self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock) -> None:
        self._uow, self._carts, self._stock, self._clock = uow, carts, stock, clock

    async def __call__(self, cart_id: int) -> CartView:
        async with self._uow:
            cart = await self._carts.get(cart_id)
            if cart is None:
                raise NotFoundError
            return await view(self._stock, cart, self._clock.now())


class ClearCartById:
    """Empties the selected active cart and gives its held stock back; it stays active."""

    def __init__(self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock) -> None:
        self._uow, self._carts, self._stock, self._clock = uow, carts, stock, clock

    async def __call__(self, cart_id: int) -> None:
        async with self._uow:
            cart = await _active(self._carts, cart_id)
            await empty(self._carts, self._stock, cart, self._clock.now())
            await self._uow.commit()


class AbandonCartById:
    """Gives the selected active cart's held stock back, empties it and marks it abandoned."""

    def __init__(self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock) -> None:
        self._uow, self._carts, self._stock, self._clock = uow, carts, stock, clock

    async def __call__(self, cart_id: int) -> None:
        async with self._uow:
            cart = await _active(self._carts, cart_id)
            await empty(self._carts, self._stock, cart, self._clock.now(), CartStatus.ABANDONED)
            await self._uow.commit()


class MergeCartInto:
    """Merges the selected active cart (a guest's or a user's) into the user's active cart (made
    when missing) with the rules of `MergeGuestCart`; the selected cart is deleted. `NotFoundError`
    for an unknown cart or user; the user's own active cart merges into itself as a no-op."""

    def __init__(
        self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock, policy: CartPolicy
    ) -> None:
        self._uow, self._carts, self._stock, self._clock, self._policy = uow, carts, stock, clock, policy

    async def __call__(self, cart_id: int, user_id: int) -> None:
        async with self._uow:
            now = self._clock.now()
            source = await self._carts.get(cart_id)
            if source is None:
                raise NotFoundError
            if source.status is not CartStatus.ACTIVE:
                raise CartNotActiveError
            try:
                target = await self._carts.fetch_or_create(CartOwner.user(user_id), now=now, lock=False)
            except ConflictError:  # the user does not exist
                raise NotFoundError from None
            if target.id == source.id:
                return
            pair = await lock_pair(self._carts, source.id, target.id)
            if pair is None:
                raise CartNotActiveError
            await merge(self._carts, self._stock, self._policy, *pair, now)
            await self._uow.commit()
