"""What staff see of the stock (reference §1.7, contract §6) and the queries that list it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from avthrift.domain.inventory.model import HoldState, MovementType
from avthrift.domain.shared.pagination import FIRST_PAGE, PageRequest, SortKey


@dataclass(frozen=True, slots=True, kw_only=True)
class StockItem:
    """A variant's stock row; `on_hand` is the reference's `quantity`."""

    id: int
    variant_id: int
    sku: str
    on_hand: int
    reserved: int
    updated_at: datetime

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True, kw_only=True)
class Movement:
    id: int
    stock_item_id: int
    movement_type: MovementType
    quantity: int
    reason: str
    reference: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservation:
    """A hold as staff see it (a lapsed hold stays `active` until it is reclaimed or expired)."""

    id: int
    variant_id: int
    quantity: int
    reference: str
    state: HoldState
    expires_at: datetime | None
    created_at: datetime


# Ordering fields are the wire names (the reference orders on any serializer field).
STOCK_ITEM_ORDERING_FIELDS: Final = frozenset(
    {"id", "variant", "sku", "quantity", "reserved", "available", "updated_at"}
)
DEFAULT_STOCK_ITEM_ORDERING: Final = (SortKey("updated_at", descending=True), SortKey("id"))
MOVEMENT_ORDERING_FIELDS: Final = frozenset({"id", "stock_item", "movement_type", "quantity", "created_at"})
DEFAULT_MOVEMENT_ORDERING: Final = (SortKey("created_at", descending=True), SortKey("id"))
RESERVATION_ORDERING_FIELDS: Final = frozenset(
    {"id", "variant", "quantity", "reference", "state", "expires_at", "created_at"}
)
DEFAULT_RESERVATION_ORDERING: Final = (SortKey("created_at", descending=True), SortKey("id"))


@dataclass(frozen=True, slots=True, kw_only=True)
class StockItemQuery:
    """Filters: exact `product_id`/`variant_id`, case-insensitive exact `sku`, `updated_at >=
    updated_after`."""

    product_id: int | None = None
    variant_id: int | None = None
    sku: str | None = None
    updated_after: datetime | None = None
    ordering: tuple[SortKey, ...] = DEFAULT_STOCK_ITEM_ORDERING
    page: PageRequest = FIRST_PAGE


@dataclass(frozen=True, slots=True, kw_only=True)
class MovementQuery:
    """Filters: exact `stock_item_id` and `movement_type`, `created_at >= created_after`."""

    stock_item_id: int | None = None
    movement_type: MovementType | None = None
    created_after: datetime | None = None
    ordering: tuple[SortKey, ...] = DEFAULT_MOVEMENT_ORDERING
    page: PageRequest = FIRST_PAGE


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationQuery:
    """Filters: exact `variant_id` and `state`, `expires_at <= expires_before`."""

    variant_id: int | None = None
    state: HoldState | None = None
    expires_before: datetime | None = None
    ordering: tuple[SortKey, ...] = DEFAULT_RESERVATION_ORDERING
    page: PageRequest = FIRST_PAGE
