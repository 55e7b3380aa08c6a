"""customers addresses and profiles

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 13:45:52.607113
"""

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "addresses",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False, start=1, increment=1),
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("addr1", sa.String(length=120), nullable=False),
        sa.Column("addr2", sa.String(length=120), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=True),
        sa.Column("postal_code", sa.String(length=12), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_addresses_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
        sa.UniqueConstraint(
            "user_id", "addr1", "city", "postal_code", "country_code", name="uq_addresses_address_per_user"
        ),
    )
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.create_index("ix_addresses_user_id_city", ["user_id", "city"], unique=False)
        batch_op.create_index(
            "ix_addresses_user_id_country_code_postal_code",
            ["user_id", "country_code", "postal_code"],
            unique=False,
        )
        batch_op.create_index("ix_addresses_user_id_state", ["user_id", "state"], unique=False)

    op.create_table(
        "customer_profiles",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False, start=1, increment=1),
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email_opt_in", sa.Boolean(), nullable=False),
        sa.Column("sms_opt_in", sa.Boolean(), nullable=False),
        sa.Column(
            "default_shipping_address_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "default_billing_address_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_billing_address_id"],
            ["addresses.id"],
            name=op.f("fk_customer_profiles_default_billing_address_id_addresses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["default_shipping_address_id"],
            ["addresses.id"],
            name=op.f("fk_customer_profiles_default_shipping_address_id_addresses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_customer_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_customer_profiles_user_id")),
    )
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_profiles_default_billing_address_id"),
            ["default_billing_address_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_customer_profiles_default_shipping_address_id"),
            ["default_shipping_address_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_profiles_default_shipping_address_id"))
        batch_op.drop_index(batch_op.f("ix_customer_profiles_default_billing_address_id"))

    op.drop_table("customer_profiles")
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.drop_index("ix_addresses_user_id_state")
        batch_op.drop_index("ix_addresses_user_id_country_code_postal_code")
        batch_op.drop_index("ix_addresses_user_id_city")

    op.drop_table("addresses")
