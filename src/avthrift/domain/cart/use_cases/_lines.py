"""What the cart use cases share: taking stock for a line, renewing the others, emptying a cart,
merging one cart into another, and the view of a cart with its holds."""

import dataclasses
from collections.abc import Collection
from datetime import datetime

from avthrift.domain.cart.errors import MergeFailedError
from avthrift.domain.cart.model import (
    Cart,
    CartLine,
    CartPolicy,
    CartStatus,
    CartView,
    cart_view,
    hold_reference,
)
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.inventory.errors import InsufficientStockError
from avthrift.domain.inventory.model import Hold
from avthrift.domain.inventory.ports import StockReserver


async def take_stock(
    stock: StockReserver,
    cart: Cart,
    line: CartLine | None,
    variant_id: int,
    quantity: int,
    *,
    expires_at: datetime,
    now: datetime,
) -> Hold:
    """Hold `quantity` units for the line: its hold resized, or a new one for a new line (or one
    whose hold is gone). Raises `InsufficientStockError` with nothing changed."""
    if line is not None and line.reservation_id is not None:
        return await stock.resize(line.reservation_id, quantity, expires_at=expires_at, now=now)
    return await stock.hold(
        variant_id, quantity, reference=hold_reference(cart.id), expires_at=expires_at, now=now
    )


async def renew(
    stock: StockReserver, hold_ids: Collection[int], *, expires_at: datetime, now: datetime
) -> None:
    """Any change of a cart renews the holds of its other lines (contract §7)."""
    if hold_ids:
        await stock.renew(hold_ids, expires_at=expires_at, now=now)


async def empty(
    carts: CartRepository, stock: StockReserver, cart: Cart, now: datetime, status: CartStatus | None = None
) -> None:
    """Release every hold of the cart and delete its lines (clear; with `status`, abandon)."""
    holds = cart.hold_ids()
    if holds:
        await stock.release(holds)
    if cart.lines:
        await carts.delete_lines(cart.id, [line.id for line in cart.lines])
    await carts.mark(cart.id, lines_changed_at=now, status=status)


async def view(stock: StockReserver, cart: Cart, now: datetime) -> CartView:
    holds = cart.hold_ids()
    return cart_view(cart, await stock.holds(holds) if holds else {}, now)


async def lock_pair(carts: CartRepository, source_id: int, target_id: int) -> tuple[Cart, Cart] | None:
    """Lock two carts in ascending id (no deadlock between two merges); `None` when either is
    gone or no longer active by the time it is locked."""
    locked: dict[int, Cart] = {}
    for cart_id in sorted({source_id, target_id}):
        cart = await carts.get(cart_id, lock=True)
        if cart is None or cart.status is not CartStatus.ACTIVE:
            return None
        locked[cart_id] = cart
    return locked[source_id], locked[target_id]


def _check_limits(source: Cart, target: Cart, policy: CartPolicy) -> None:
    quantities = {line.variant_id: line.quantity for line in target.lines}
    for line in source.lines:
        total = quantities.get(line.variant_id, 0) + line.quantity
        if total > policy.max_line_quantity:
            reason = f"Ensure the quantity of a cart line is at most {policy.max_line_quantity}."
            raise MergeFailedError(
                variant_id=line.variant_id, invalid_params=[{"name": "quantity", "reason": reason}]
            )
        quantities[line.variant_id] = total
    if len(quantities) > policy.max_lines:
        reason = f"A cart holds at most {policy.max_lines} different variants."
        raise MergeFailedError(invalid_params=[{"name": "items", "reason": reason}])


async def _take_for_merge(
    stock: StockReserver,
    target: Cart,
    existing: CartLine | None,
    variant_id: int,
    total: int,
    expires_at: datetime,
    now: datetime,
) -> Hold:
    try:
        return await take_stock(stock, target, existing, variant_id, total, expires_at=expires_at, now=now)
    except InsufficientStockError as error:
        raise MergeFailedError(variant_id=variant_id, available=error.available) from error


async def merge(
    carts: CartRepository, stock: StockReserver, policy: CartPolicy, source: Cart, target: Cart, now: datetime
) -> None:
    """Move every line of `source` into `target` (both locked and active), quantities adding up
    per variant, then delete `source`. All or nothing: `MergeFailedError` leaves the caller to roll
    back.

    The source's own holds are movable stock (reference §7.2 #7 double-counts them): per variant, in
    ascending variant id, the source line's hold is released first and only then the target's hold
    grows to the sum (or a new one is taken), in the same transaction. A guest holding the last
    unit therefore merges it, and a merge that exactly fits the stock succeeds.
    """
    _check_limits(source, target, policy)
    expires_at = now + policy.reservation_ttl
    moving = {line.variant_id: line for line in source.lines}
    variants = await carts.variants(list(moving))
    for variant_id in sorted(moving):
        line = moving[variant_id]
        existing = target.line_for(variant_id)
        if line.reservation_id is not None:
            await stock.release([line.reservation_id])
        variant = variants.get(variant_id)
        total = line.quantity + (existing.quantity if existing is not None else 0)
        unit_price = variant.unit_price if variant is not None else line.unit_price
        if existing is not None:
            hold = await _take_for_merge(stock, target, existing, variant_id, total, expires_at, now)
            changed = dataclasses.replace(
                existing, quantity=total, unit_price=unit_price, reservation_id=hold.id
            )
            await carts.update_line(target.id, changed)
        elif variant is not None:  # else the variant was deleted meanwhile: nothing to move
            hold = await _take_for_merge(stock, target, None, variant_id, total, expires_at, now)
            await carts.add_line(target.id, variant, total, unit_price, hold.id)
    staying = [
        line.reservation_id
        for line in target.lines
        if line.variant_id not in moving and line.reservation_id is not None
    ]
    await renew(stock, staying, expires_at=expires_at, now=now)
    await carts.delete(source.id)
    await carts.mark(target.id, lines_changed_at=now)
