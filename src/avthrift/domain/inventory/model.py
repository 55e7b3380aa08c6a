"""Stock (reference §2.4, §3.1; contract §6): the movement ledger, and holds that carts take on it.

Invariants, true after every commit (`avthrift inventory check` verifies them):
- `on_hand` of a variant's stock row == the sum of its movements' signed quantities;
- `reserved` == the sum of its `active` holds (a lapsed hold stays `active` until it is reclaimed);
- 0 <= reserved <= on_hand (CHECK constraints back this up).
A hold has lapsed when `expires_at <= now`; a lapsed hold never blocks another buyer: taking stock
reclaims the variant's lapsed holds when what is free is not enough.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class HoldState(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    CONVERTED = "converted"


class MovementType(StrEnum):
    IN = "in"
    OUT = "out"
    ADJUST = "adjust"


@dataclass(frozen=True, slots=True, kw_only=True)
class Hold:
    """Stock held for one cart line: `quantity` units of `variant_id` until `expires_at`."""

    id: int
    variant_id: int
    quantity: int
    reference: str
    state: HoldState
    expires_at: datetime | None

    def lapsed(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def holding(self, now: datetime) -> bool:
        """Still holds its units for its owner: active and not lapsed."""
        return self.state is HoldState.ACTIVE and not self.lapsed(now)


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerMismatch:
    """A variant whose stock row disagrees with its ledger."""

    variant_id: int
    on_hand: int
    movements_sum: int
    reserved: int
    active_holds_sum: int
