"""`avthrift carts abandon-stale` (reference §3.6, §5): abandon active carts, user and guest, whose
last line change is older than `CART_ABANDON_TTL_MINUTES`. The reference keys on the cart row's
`updated_at`, which line changes never touch, and so abandons carts being filled (§7.2 #14)."""

from avthrift.domain.cart.model import CartPolicy, CartStatus
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.cart.use_cases._lines import empty
from avthrift.domain.inventory.ports import StockReserver
from avthrift.domain.shared.ports import Clock, UnitOfWork

BATCH = 200


class AbandonStaleCarts:
    """Each cart is abandoned in its own transaction (holds released, lines deleted), re-checked
    under its lock so a cart changed meanwhile is kept. Returns how many were abandoned."""

    def __init__(
        self, uow: UnitOfWork, carts: CartRepository, stock: StockReserver, clock: Clock, policy: CartPolicy
    ) -> None:
        self._uow, self._carts, self._stock, self._clock, self._policy = uow, carts, stock, clock, policy

    async def __call__(self) -> int:
        now = self._clock.now()
        cutoff = now - self._policy.abandon_ttl
        abandoned, after_id = 0, 0
        while True:
            async with self._uow:
                ids = await self._carts.stale(cutoff, after_id=after_id, limit=BATCH)
            if not ids:
                return abandoned
            after_id = ids[-1]
            for cart_id in ids:
                async with self._uow:
                    cart = await self._carts.get(cart_id, lock=True)
                    if (
                        cart is None
                        or cart.status is not CartStatus.ACTIVE
                        or cart.lines_changed_at >= cutoff
                    ):
                        continue
                    await empty(self._carts, self._stock, cart, now, CartStatus.ABANDONED)
                    await self._uow.commit()
                abandoned += 1
