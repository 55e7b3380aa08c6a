from advanced_alchemy.base import IdentityAuditBase
from advanced_alchemy.types import BigIntIdentity
from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class AddressRow(IdentityAuditBase):
    __tablename__ = "addresses"
    __table_args__ = (
        # NULLs are distinct in a unique constraint (PostgreSQL and SQLite alike): addresses without a
        # postal code never collide, as in the reference.
        UniqueConstraint(
            "user_id", "addr1", "city", "postal_code", "country_code", name="uq_addresses_address_per_user"
        ),
        Index("ix_addresses_user_id_country_code_postal_code", "user_id", "country_code", "postal_code"),
        Index("ix_addresses_user_id_city", "user_id", "city"),
        Index("ix_addresses_user_id_state", "user_id", "state"),
    )

    user_id: Mapped[int] = mapped_column(BigIntIdentity, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120), default="")
    addr1: Mapped[str] = mapped_column(String(120))
    addr2: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(40))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    country_code: Mapped[str] = mapped_column(String(2), default="NG")
    phone: Mapped[str] = mapped_column(String(16), default="")


class CustomerProfileRow(IdentityAuditBase):
    __tablename__ = "customer_profiles"

    user_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    email_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # Indexed so that deleting an address finds the profiles to update without a scan.
    default_shipping_address_id: Mapped[int | None] = mapped_column(
        BigIntIdentity, ForeignKey("addresses.id", ondelete="SET NULL"), index=True
    )
    default_billing_address_id: Mapped[int | None] = mapped_column(
        BigIntIdentity, ForeignKey("addresses.id", ondelete="SET NULL"), index=True
    )
