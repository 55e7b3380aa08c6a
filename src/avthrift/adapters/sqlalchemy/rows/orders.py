"""Orders and their lines (reference §2.6) with the totals stored at checkout (the peer computed
them per request from query parameters, §7.2 #10). An order outlives its user and its variants: both
foreign keys RESTRICT (the peer's CASCADE deleted orders with their user)."""

from datetime import datetime
from decimal import Decimal

from advanced_alchemy.base import IdentityAuditBase
from advanced_alchemy.types import BigIntIdentity, DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

_MONEY = Numeric(12, 2)


class OrderRow(IdentityAuditBase):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'paid', 'cancelled')", name="order_status_known"),
        CheckConstraint(
            "subtotal >= 0 AND shipping >= 0 AND tax >= 0 AND discount >= 0 AND total >= 0",
            name="order_money_non_negative",
        ),
        Index("ix_orders_user_status_created", "user_id", "status", "created_at"),
        Index("ix_orders_status_created", "status", "created_at"),
    )

    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(BigIntIdentity, ForeignKey("users.id", ondelete="RESTRICT"))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(_MONEY)
    shipping: Mapped[Decimal] = mapped_column(_MONEY)
    tax: Mapped[Decimal] = mapped_column(_MONEY)
    discount: Mapped[Decimal] = mapped_column(_MONEY)
    total: Mapped[Decimal] = mapped_column(_MONEY)
    paid_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class OrderLineRow(IdentityAuditBase):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="order_line_quantity_positive"),
        CheckConstraint("unit_price >= 0", name="order_line_price_non_negative"),
    )

    order_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    product_title: Mapped[str] = mapped_column(String(200))
    variant_sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(_MONEY)
