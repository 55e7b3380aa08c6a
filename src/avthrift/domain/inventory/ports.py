"""Ports of the inventory context. Every method runs inside the caller's unit of work and changes
nothing when it raises.

Lock order (no deadlocks, architecture rule 7): a method that touches several variants touches their
stock rows in ascending variant id; a hold is only changed after its variant's stock row (the
conditional `UPDATE stock_items …` that takes the row lock comes first). Callers that touch several
variants call per-variant methods in ascending variant id too.

Only the owner's transaction waits on a hold's row lock, so the caller serialises the transactions
of one owner (a cart): `renew` locks the holds it extends without their stock rows. Reclaiming,
`expire` and `renew` skip hold rows other transactions have locked on PostgreSQL.
"""

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Protocol

from avthrift.domain.inventory.model import Hold, LedgerMismatch
from avthrift.domain.inventory.read_models import (
    Movement,
    MovementQuery,
    Reservation,
    ReservationQuery,
    StockItem,
    StockItemQuery,
)
from avthrift.domain.shared.pagination import Page


class StockReserver(Protocol):
    """Holds on stock for carts: taken, resized, renewed, released, converted into sales, expired.

    Taking stock is one conditional statement (`UPDATE stock_items SET reserved = reserved + :q
    WHERE variant_id = :v AND on_hand - reserved >= :q`), on PostgreSQL and SQLite alike; only when
    it matches no row does the reserver reclaim the variant's lapsed holds (`expires_at <= now`) and
    try once more. A variant without a stock row has nothing available.
    """

    async def hold(
        self, variant_id: int, quantity: int, *, reference: str, expires_at: datetime, now: datetime
    ) -> Hold:
        """Take a new active hold of `quantity` (> 0) units. Raises `InsufficientStockError` with
        the units available (lapsed holds counted as free). The lapsed holds it reclaimed stay
        released even then (they hold nothing; the caller's transaction decides)."""
        ...

    async def resize(self, hold_id: int, quantity: int, *, expires_at: datetime, now: datetime) -> Hold:
        """Set an active hold to `quantity` units (growing takes only the difference, conditionally;
        shrinking always succeeds) and renew it to `expires_at`. A hold that is no longer active
        (released, converted or reclaimed) is replaced by a fresh hold with the same reference: the
        returned hold may have a new id. Raises `InsufficientStockError` (the old hold unchanged),
        whose `available` counts the hold's own units: the most it could be set to. Raises
        `NotFoundError` for an id that names no hold."""
        ...

    async def renew(self, hold_ids: Collection[int], *, expires_at: datetime, now: datetime) -> None:
        """Move the expiry of the holds that still hold (active, not lapsed) to `expires_at`; lapsed
        or ended holds are left as they are, and so are holds another transaction has locked on
        PostgreSQL (it is changing them: renew never waits for a lock)."""
        ...

    async def release(self, hold_ids: Collection[int]) -> None:
        """End active holds (`released`) and give their units back; ended holds are skipped."""
        ...

    async def lock(self, variant_ids: Collection[int]) -> None:
        """Lock the stock rows of `variant_ids` in ascending variant id until the transaction ends:
        from then on no other transaction takes, reclaims or expires holds of these variants (on
        SQLite every writing transaction already runs alone)."""
        ...

    async def convert(self, hold_ids: Collection[int], *, reference: str) -> int:
        """Turn active holds into sales: each leaves `on_hand` and `reserved` and records an `out`
        movement with `reference`; state `converted`. Ended holds are skipped; returns how many
        were converted (the caller compares it with what it expected)."""
        ...

    async def holds(self, hold_ids: Collection[int]) -> Mapping[int, Hold]:
        """The holds that exist among `hold_ids`, by id."""
        ...

    async def expire(self, now: datetime, limit: int) -> int:
        """Release up to `limit` lapsed active holds (oldest expiry first; rows another transaction
        has locked are skipped on PostgreSQL); returns how many were released."""
        ...

    async def available(self, variant_ids: Collection[int], now: datetime) -> Mapping[int, int]:
        """Units free for a new hold per variant (lapsed holds counted as free; 0 without a stock row)."""
        ...


class StockLedger(Protocol):
    """Stock rows and their movement ledger (contract §6)."""

    async def create_item(self, variant_id: int, quantity: int, *, reason: str) -> int:
        """Create the variant's stock row with `quantity` on hand, recorded as an `in` movement when
        positive; returns its id. Raises `ConflictError` when the variant already has one and
        `NotFoundError` when the variant does not exist."""
        ...

    async def move(
        self, stock_item_id: int, movement_type: str, quantity: int, *, reason: str, reference: str
    ) -> int:
        """Apply a signed movement (`in` > 0, `out` < 0, `adjust` ≠ 0) with one conditional statement
        (`on_hand + q >= reserved`); returns the movement id. Raises `StockBelowReservedError` when it
        would leave less on hand than reserved, `NotFoundError` for an unknown stock row."""
        ...

    async def restock(self, quantities: Mapping[int, int], *, reason: str, reference: str) -> None:
        """Put sold units back on hand: per variant (ascending id) `on_hand += quantity` and an `in`
        movement with `reason` and `reference`. Variants without a stock row are skipped."""
        ...

    async def mismatches(self) -> tuple[LedgerMismatch, ...]:
        """Every variant whose `on_hand` differs from the sum of its movements or whose `reserved`
        differs from the sum of its active holds; empty when the ledger is consistent."""
        ...


class InventoryReader(Protocol):
    """Staff reads of stock rows, movements and holds (reference §1.7). Pages past the end raise
    `InvalidPageError`; ids beyond 64 bits match nothing."""

    async def stock_items(self, query: StockItemQuery) -> Page[StockItem]: ...

    async def stock_item(self, stock_item_id: int) -> StockItem | None: ...

    async def stock_item_count(self) -> int:
        """How many stock rows there are (what `avthrift inventory check` checked)."""
        ...

    async def movements(self, query: MovementQuery) -> Page[Movement]: ...

    async def movement(self, movement_id: int) -> Movement | None: ...

    async def reservations(self, query: ReservationQuery) -> Page[Reservation]: ...
