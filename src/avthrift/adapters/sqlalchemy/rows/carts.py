"""Carts (reference §2.5) with one active cart per user and per guest session, enforced by partial
unique indexes on both engines, and the time of the last line change that stale-cart abandonment
keys on (reference §7.2 #14)."""

from datetime import datetime
from decimal import Decimal

from advanced_alchemy.base import IdentityAuditBase
from advanced_alchemy.types import BigIntIdentity, DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

_ACTIVE = text("status = 'active'")


class CartRow(IdentityAuditBase):
    __tablename__ = "carts"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (session_id IS NULL)", name="cart_user_xor_session"),
        CheckConstraint("status IN ('active', 'ordered', 'abandoned')", name="cart_status_known"),
        Index(
            "uq_carts_active_per_user", "user_id", unique=True, sqlite_where=_ACTIVE, postgresql_where=_ACTIVE
        ),
        Index(
            "uq_carts_active_per_session",
            "session_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        Index("ix_carts_status_lines_changed_at", "status", "lines_changed_at"),
    )

    user_id: Mapped[int | None] = mapped_column(BigIntIdentity, ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    lines_changed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class CartItemRow(IdentityAuditBase):
    __tablename__ = "cart_items"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="cart_item_quantity_positive"),
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_items_variant_per_cart"),
    )

    cart_id: Mapped[int] = mapped_column(BigIntIdentity, ForeignKey("carts.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("product_variants.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reservation_id: Mapped[int | None] = mapped_column(
        BigIntIdentity, ForeignKey("stock_reservations.id", ondelete="SET NULL"), index=True
    )
