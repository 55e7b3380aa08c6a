"""Ports of the cart context. Every method runs inside the caller's unit of work.

Lock order (no deadlocks): a use case locks cart rows first (two carts: ascending cart id), then
touches stock through the `StockReserver` in ascending variant id.
"""

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from avthrift.domain.cart.model import (
    Cart,
    CartLine,
    CartOwner,
    CartQuery,
    CartStatus,
    CartSummary,
    CartVariant,
)
from avthrift.domain.shared.pagination import Page


class CartRepository(Protocol):
    """Carts and their lines. At most one active cart per user and per guest session (the partial
    unique indexes back it up); an id that names nothing is `None`, never an error."""

    async def active(self, owner: CartOwner, *, lock: bool = True) -> Cart | None:
        """The owner's active cart with its lines, or `None` (nothing is written). With `lock`, the
        cart row stays locked until the transaction ends, so the changes of one cart are serialised."""
        ...

    async def fetch_or_create(self, owner: CartOwner, *, now: datetime, lock: bool = True) -> Cart:
        """The owner's active cart, made when missing (its last line change stamped `now`). Safe
        under concurrency: of two simultaneous first calls both get the one cart and neither fails.
        Locked like `active`. Raises `ConflictError` when the user does not exist."""
        ...

    async def get(self, cart_id: int, *, lock: bool = False) -> Cart | None:
        """Any cart by id, whatever its status, with its lines; locked like `active` with `lock`."""
        ...

    async def variants(self, variant_ids: Collection[int]) -> Mapping[int, CartVariant]:
        """The variants that exist among `variant_ids`, on sale or not."""
        ...

    async def add_line(
        self,
        cart_id: int,
        variant: CartVariant,
        quantity: int,
        unit_price: Decimal,
        reservation_id: int | None,
    ) -> CartLine:
        """Add a line for a variant the cart has no line for; returns it."""
        ...

    async def update_line(self, cart_id: int, line: CartLine) -> None:
        """Write the line's quantity, unit price and reservation back."""
        ...

    async def delete_lines(self, cart_id: int, line_ids: Collection[int]) -> None:
        """Delete these lines of the cart (others' lines are never touched)."""
        ...

    async def mark(
        self, cart_id: int, *, lines_changed_at: datetime, status: CartStatus | None = None
    ) -> None:
        """Record a change of the cart's lines at `lines_changed_at` and, when given, set its status."""
        ...

    async def delete(self, cart_id: int) -> None:
        """Delete the cart and its lines."""
        ...

    async def search(self, query: CartQuery) -> Page[CartSummary]:
        """One page of carts, newest first; raises `InvalidPageError` past the last page."""
        ...

    async def stale(self, changed_before: datetime, *, after_id: int = 0, limit: int) -> tuple[int, ...]:
        """Ids above `after_id` of up to `limit` active carts (user and guest) whose last line
        change is older than `changed_before`, in ascending id order."""
        ...
