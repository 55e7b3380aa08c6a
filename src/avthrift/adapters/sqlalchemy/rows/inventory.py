"""Stock (reference §2.4): one stock row per variant and the movement ledger it sums.

`on_hand` is the reference's `quantity`. The CHECK constraints are the last line of defence of
"never sell what we do not have": a statement that would break them fails instead of overselling.
"""

from datetime import datetime

from advanced_alchemy.base import IdentityAuditBase
from advanced_alchemy.types import BigIntIdentity, DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class StockItemRow(IdentityAuditBase):
    __tablename__ = "stock_items"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="stock_on_hand_non_negative"),
        CheckConstraint("reserved >= 0", name="stock_reserved_non_negative"),
        CheckConstraint("reserved <= on_hand", name="stock_reserved_le_on_hand"),
    )

    variant_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("product_variants.id", ondelete="CASCADE"), unique=True
    )
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)


class StockMovementRow(IdentityAuditBase):
    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="stock_movement_non_zero"),
        CheckConstraint("movement_type IN ('in', 'out', 'adjust')", name="stock_movement_type_known"),
        Index("ix_stock_movements_stock_item_id_created_at", "stock_item_id", "created_at"),
    )

    stock_item_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("stock_items.id", ondelete="CASCADE")
    )
    movement_type: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(120), default="")


class StockReservationRow(IdentityAuditBase):
    """A hold on stock for a cart line (`reference` "cart:<id>"). `reserved` of the variant's stock
    row is the sum of its `active` holds, lapsed ones included until they are reclaimed."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="stock_reservation_positive_quantity"),
        CheckConstraint("state IN ('active', 'released', 'converted')", name="stock_reservation_state_known"),
        Index("ix_stock_reservations_variant_id_state_expires_at", "variant_id", "state", "expires_at"),
        Index("ix_stock_reservations_state_expires_at", "state", "expires_at"),
        Index("ix_stock_reservations_reference", "reference"),
    )

    variant_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("product_variants.id", ondelete="CASCADE")
    )
    quantity: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(16), default="active")
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
