"""Catalog tables (reference §2.3) with the constraints the reference lacks: no self-parenting, a
media row's variant belongs to the media's product (composite foreign key), one value per attribute
per product or variant."""

from decimal import Decimal
from typing import Any

from advanced_alchemy.base import IdentityAuditBase
from advanced_alchemy.types import BigIntIdentity, JsonB
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column


class CategoryRow(IdentityAuditBase):
    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="category_not_own_parent"),
        Index("ix_categories_sort_order_name", "sort_order", "name"),
    )

    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(
        BigIntIdentity, ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class AttributeRow(IdentityAuditBase):
    __tablename__ = "attributes"
    __table_args__ = (
        CheckConstraint(
            "input_type IN ('text', 'number', 'boolean', 'select')", name="attribute_input_type_known"
        ),
    )

    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    input_type: Mapped[str] = mapped_column(String(16), default="text")
    is_filterable: Mapped[bool] = mapped_column(Boolean, default=False)
    allowed_values: Mapped[Any | None] = mapped_column(JsonB)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class ProductRow(IdentityAuditBase):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="product_status_known"),
        Index("ix_products_status_title", "status", "title"),
    )

    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    seo_title: Mapped[str] = mapped_column(String(200), default="")
    seo_description: Mapped[str] = mapped_column(Text, default="")


class ProductCategoryRow(IdentityAuditBase):
    __tablename__ = "product_categories"
    __table_args__ = (UniqueConstraint("product_id", "category_id", name="uq_product_categories_pair"),)

    product_id: Mapped[int] = mapped_column(BigIntIdentity, ForeignKey("products.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )


class VariantRow(IdentityAuditBase):
    __tablename__ = "product_variants"
    __table_args__ = (
        CheckConstraint("price IS NULL OR price >= 0", name="variant_price_non_negative"),
        CheckConstraint("status IN ('active', 'inactive')", name="variant_status_known"),
        # The target of the media's composite foreign key: (variant, product) pairs that exist.
        UniqueConstraint("id", "product_id", name="uq_product_variants_id_product_id"),
        Index("ix_product_variants_product_id_status", "product_id", "status"),
    )

    product_id: Mapped[int] = mapped_column(BigIntIdentity, ForeignKey("products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    barcode: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")


class AttributeValueRow(IdentityAuditBase):
    __tablename__ = "attribute_values"
    __table_args__ = (
        CheckConstraint(
            "(product_id IS NULL) <> (variant_id IS NULL)", name="attribute_value_product_xor_variant"
        ),
        # NULLs are distinct: each constraint only bites for its own kind of owner.
        UniqueConstraint("attribute_id", "product_id", name="uq_attribute_values_attribute_product"),
        UniqueConstraint("attribute_id", "variant_id", name="uq_attribute_values_attribute_variant"),
    )

    attribute_id: Mapped[int] = mapped_column(BigIntIdentity, ForeignKey("attributes.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(
        BigIntIdentity, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int | None] = mapped_column(
        BigIntIdentity, ForeignKey("product_variants.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text, default="")


class MediaRow(IdentityAuditBase):
    __tablename__ = "media"
    __table_args__ = (
        ForeignKeyConstraint(
            ["variant_id", "product_id"],
            ["product_variants.id", "product_variants.product_id"],
            name="fk_media_variant_of_product",
            ondelete="CASCADE",
        ),
        Index(
            "uq_media_primary_per_product",
            "product_id",
            unique=True,
            sqlite_where=text("is_primary AND variant_id IS NULL"),
            postgresql_where=text("is_primary AND variant_id IS NULL"),
        ),
        Index(
            "uq_media_primary_per_variant",
            "variant_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
        Index("ix_media_product_id_sort_order", "product_id", "sort_order"),
        Index("ix_media_variant_id", "variant_id"),
    )

    product_id: Mapped[int] = mapped_column(BigIntIdentity, ForeignKey("products.id", ondelete="CASCADE"))
    variant_id: Mapped[int | None] = mapped_column(BigIntIdentity)
    url: Mapped[str] = mapped_column(String(200))
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CollectionRow(IdentityAuditBase):
    __tablename__ = "collections"
    __table_args__ = (Index("ix_collections_sort_order_name", "sort_order", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CollectionProductRow(IdentityAuditBase):
    __tablename__ = "collection_products"
    __table_args__ = (
        UniqueConstraint("collection_id", "product_id", name="uq_collection_products_pair"),
        Index("ix_collection_products_collection_id_sort_order", "collection_id", "sort_order"),
    )

    collection_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("collections.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(
        BigIntIdentity, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
