"""Moving a guest's cart into the signed-in user's cart after sign-in (reference §3.2; contract §7)."""

from avthrift.domain.cart.errors import MergeFailedError
from avthrift.domain.cart.model import CartOwner, CartPolicy
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.cart.use_cases._lines import lock_pair, merge
from avthrift.domain.inventory.ports import StockReserver
from avthrift.domain.shared.ports import Clock, UnitOfWork


class MergeGuestCart:
    """Merges the session's active cart into the user's, in one transaction: quantities add up per
    variant, the guest's holds move with its lines, the guest cart is deleted. Any refusal is
    `MergeFailedError` and changes nothing; an unknown session is a no-op."""

    def __init__(
        self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock, policy: CartPolicy
    ) -> None:
        self._uow, self._carts, self._stock, self._clock, self._policy = uow, carts, stock, clock, policy

    async def __call__(self, user_id: int, session_id: str) -> None:
        async with self._uow:
            now = self._clock.now()
            source = await self._carts.active(CartOwner.guest(session_id), lock=False)
            if source is None:
                return
            if not source.lines:
                await self._carts.delete(source.id)
                await self._uow.commit()
                return
            target = await self._carts.fetch_or_create(CartOwner.user(user_id), now=now, lock=False)
            pair = await lock_pair(self._carts, source.id, target.id)
            if pair is None:
                # Merged (or abandoned) by a concurrent request while this one waited for the lock.
                if await self._carts.get(source.id) is None:
                    return
                raise MergeFailedError
            await merge(self._carts, self._stock, self._policy, *pair, now)
            await self._uow.commit()
