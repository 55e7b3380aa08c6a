"""Orders (reference §1.9, §2.6; contract §9): what a checkout sold, at the prices and totals fixed
then. `pending` (awaiting payment) → `paid`, or `pending` → `cancelled`; nothing else moves."""

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from avthrift.domain.shared.money import ZERO, to_money
from avthrift.domain.shared.pagination import PageRequest


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"


def order_number(order_id: int) -> str:
    """`ORD-` and the id zero-padded to 6 digits (7+ digits past 999 999), as the reference."""
    return f"ORD-{order_id:06d}"


def order_reference(order_id: int) -> str:
    """The `reference` of the stock movements an order causes."""
    return f"order:{order_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    id: int
    variant_id: int
    product_title: str
    variant_sku: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return to_money(self.unit_price * self.quantity)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewOrderLine:
    variant_id: int
    product_title: str
    variant_sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    """Stored at checkout; never computed from a request (reference §7.2 #10)."""

    subtotal: Decimal
    shipping: Decimal = ZERO
    tax: Decimal = ZERO
    discount: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return to_money(self.subtotal + self.shipping + self.tax - self.discount)

    @classmethod
    def of(cls, lines: tuple[NewOrderLine, ...]) -> "Totals":
        return cls(subtotal=to_money(sum((line.unit_price * line.quantity for line in lines), ZERO)))


@dataclass(frozen=True, slots=True, kw_only=True)
class NewOrder:
    user_id: int
    email: str
    lines: tuple[NewOrderLine, ...]
    totals: Totals


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    id: int
    number: str
    user_id: int
    email: str
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    totals: Totals
    created_at: datetime
    paid_at: datetime | None = None
    cancelled_at: datetime | None = None

    def moved(self, status: OrderStatus, now: datetime) -> "Order":
        if status is OrderStatus.PAID:
            return dataclasses.replace(self, status=status, paid_at=now)
        return dataclasses.replace(self, status=status, cancelled_at=now)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderQuery:
    """The caller's orders, newest first; `start`/`end` bound `created_at` (inclusive)."""

    user_id: int
    status: OrderStatus | None = None
    number: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    page: PageRequest = dataclasses.field(default_factory=PageRequest)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutResult:
    order_id: int
    order_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPolicy:
    """`FRONTEND_URL` (no trailing slash) for emailed links; `ORDER_PAYMENT_TTL_MINUTES`: how long
    a pending order waits for payment before `avthrift orders expire-unpaid` cancels it."""

    frontend_url: str
    payment_ttl: timedelta = timedelta(minutes=60)
