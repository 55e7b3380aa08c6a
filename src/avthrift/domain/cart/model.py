"""Carts (reference §2.5, §3.2; contract §7): one active cart per user and per guest session, lines
that hold stock for a while, and the limits a cart keeps to.

A cart belongs to a user or to a guest session id, never both. Its lines are ordered by id; a line's
`unit_price` is the variant's price (a null price counts as 0.00) at the last add, update or merge.
`lines_changed_at` is the time of the last change of any line: stale-cart abandonment keys on it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from avthrift.domain.cart.errors import (
    CartLinesLimitError,
    InvalidSessionIdError,
    LineQuantityLimitError,
    MissingSessionIdError,
)
from avthrift.domain.inventory.model import Hold
from avthrift.domain.shared.errors import field_error
from avthrift.domain.shared.money import ZERO, to_money
from avthrift.domain.shared.pagination import FIRST_PAGE, PageRequest

# A guest session id is a bearer secret: long enough not to be guessed (a UUIDv4 qualifies).
SESSION_ID_PATTERN: Final = r"^[A-Za-z0-9_-]{32,64}$"
_SESSION_ID: Final = re.compile(SESSION_ID_PATTERN)
LAPSED_DETAIL: Final = (
    "The stock reservation of this item has lapsed: it is no longer held for you and is checked "
    "again at checkout."
)


class CartStatus(StrEnum):
    ACTIVE = "active"
    ORDERED = "ordered"
    ABANDONED = "abandoned"


def parse_session_id(raw: str | None) -> str:
    """A guest session id as sent, or `MissingSessionIdError` (absent or empty) /
    `InvalidSessionIdError` (not 32 to 64 characters of `[A-Za-z0-9_-]`)."""
    if not raw:
        raise MissingSessionIdError
    if _SESSION_ID.fullmatch(raw) is None:
        raise InvalidSessionIdError
    return raw


def guest_session_id(header: str | None, body: str | None = None) -> str:
    """The session id of a guest request: the `X-Session-Id` header wins over a body's
    `session_id` when both are sent (the reference lets the body win, §7.2 #19); a body id sent
    beside the header must be well-formed too."""
    if header:
        if body:
            parse_session_id(body)
        return parse_session_id(header)
    return parse_session_id(body)


@dataclass(frozen=True, slots=True, kw_only=True)
class CartOwner:
    """A signed-in user or a guest session, exactly one of the two."""

    user_id: int | None = None
    session_id: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.session_id is None):
            raise ValueError("a cart belongs to a user or to a guest session")

    @classmethod
    def user(cls, user_id: int) -> "CartOwner":
        return cls(user_id=user_id)

    @classmethod
    def guest(cls, session_id: str) -> "CartOwner":
        return cls(session_id=session_id)

    @property
    def is_guest(self) -> bool:
        return self.session_id is not None


def hold_reference(cart_id: int) -> str:
    """The reference of the stock holds of a cart's lines (reference §2.4: `cart:<cart id>`)."""
    return f"cart:{cart_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CartVariant:
    """What a cart needs to know of a variant: whether it is on sale (an active variant of a
    published product) and its price."""

    id: int
    price: Decimal | None
    sellable: bool
    product_title: str
    sku: str

    @property
    def unit_price(self) -> Decimal:
        return to_money(self.price if self.price is not None else ZERO)


@dataclass(frozen=True, slots=True, kw_only=True)
class CartLine:
    id: int
    variant_id: int
    quantity: int
    unit_price: Decimal
    reservation_id: int | None
    product_title: str = ""
    variant_sku: str = ""

    @property
    def line_total(self) -> Decimal:
        return to_money(self.unit_price * self.quantity)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cart:
    id: int
    owner: CartOwner
    status: CartStatus
    lines: tuple[CartLine, ...]
    lines_changed_at: datetime
    created_at: datetime | None = None

    def line(self, line_id: int) -> CartLine | None:
        return next((line for line in self.lines if line.id == line_id), None)

    def line_for(self, variant_id: int) -> CartLine | None:
        return next((line for line in self.lines if line.variant_id == variant_id), None)

    def hold_ids(self, *, except_line: int | None = None) -> list[int]:
        return [
            line.reservation_id
            for line in self.lines
            if line.reservation_id is not None and line.id != except_line
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class CartPolicy:
    """Settings of carts: `CART_RESERVATION_TTL_MINUTES`, `CART_ABANDON_TTL_MINUTES`,
    `CART_MAX_LINE_QUANTITY`, `CART_MAX_LINES`."""

    reservation_ttl: timedelta = timedelta(minutes=30)
    abandon_ttl: timedelta = timedelta(minutes=120)
    max_line_quantity: int = 10
    max_lines: int = 50

    def check_quantity(self, quantity: int, *, already: int = 0) -> None:
        """`LineQuantityLimitError` when a line would hold more than `max_line_quantity` units
        (`already` of them being in the cart before this change); a field error below 1."""
        if quantity < 1:
            raise field_error("quantity", "Ensure this value is greater than or equal to 1.")
        if quantity > self.max_line_quantity:
            raise LineQuantityLimitError(self.max_line_quantity, already)

    def check_lines(self, count: int) -> None:
        """`CartLinesLimitError` when a cart would have more than `max_lines` lines."""
        if count > self.max_lines:
            raise CartLinesLimitError(self.max_lines)


# --- What the API shows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LineView:
    """A line and until when its stock is held for the cart (`None`: it holds nothing now)."""

    line: CartLine
    reserved_until: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CartWarning:
    item_id: int
    code: str
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CartView:
    """A cart as its owner sees it; `id` is `None` for a guest cart not created yet."""

    id: int | None
    status: CartStatus
    owner: CartOwner | None
    lines: tuple[LineView, ...]
    warnings: tuple[CartWarning, ...] = ()
    lines_changed_at: datetime | None = None
    created_at: datetime | None = None

    @property
    def item_count(self) -> int:
        """Units in the cart (the sum of the quantities)."""
        return sum(view.line.quantity for view in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return to_money(sum((view.line.line_total for view in self.lines), ZERO))

    @property
    def total(self) -> Decimal:
        return self.subtotal


def line_view(line: CartLine, hold: Hold | None, now: datetime) -> LineView:
    holding = hold is not None and hold.holding(now)
    return LineView(line=line, reserved_until=hold.expires_at if hold is not None and holding else None)


def cart_view(cart: Cart, holds: Mapping[int, Hold], now: datetime) -> CartView:
    """The cart with each line's hold; a line whose hold lapsed or ended is named in `warnings`
    (`reservation_lapsed`)."""
    views = tuple(
        line_view(line, holds.get(line.reservation_id) if line.reservation_id else None, now)
        for line in cart.lines
    )
    warnings = tuple(
        CartWarning(item_id=view.line.id, code="reservation_lapsed", detail=LAPSED_DETAIL)
        for view in views
        if view.reserved_until is None
    )
    return CartView(
        id=cart.id,
        status=cart.status,
        owner=cart.owner,
        lines=views,
        warnings=warnings,
        lines_changed_at=cart.lines_changed_at,
        created_at=cart.created_at,
    )


def empty_view(owner: CartOwner | None = None) -> CartView:
    """The cart of a guest who has none yet: nothing is created by reading it."""
    return CartView(id=None, status=CartStatus.ACTIVE, owner=owner, lines=())


@dataclass(frozen=True, slots=True, kw_only=True)
class CartQuery:
    """Staff cart list: exact filters and a page, newest cart first."""

    status: CartStatus | None = None
    user_id: int | None = None
    page: PageRequest = field(default=FIRST_PAGE)


@dataclass(frozen=True, slots=True, kw_only=True)
class CartSummary:
    id: int
    owner: CartOwner
    status: CartStatus
    line_count: int
    item_count: int
    subtotal: Decimal
    lines_changed_at: datetime
    created_at: datetime | None
