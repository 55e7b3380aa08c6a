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


def movement_problem(movement_type: str, quantity: int) -> tuple[str, str] | None:
    """Why a movement is malformed, as `(field, reason)`, or None: the type is one of
    `in`/`out`/`adjust`, and its signed quantity is positive for `in`, negative for `out`, and
    not zero for `adjust` (contract §6)."""
    if movement_type not in tuple(MovementType):
        return "movement_type", f'"{movement_type}" is not a valid choice.'
    if movement_type == MovementType.IN and quantity <= 0:
        return "quantity", "An inbound movement must have a positive quantity."
    if movement_type == MovementType.OUT and quantity >= 0:
        return "quantity", "An outbound movement must have a negative quantity."
    if quantity == 0:
        return "quantity", "An adjustment must not be zero."
    return None
