"""Column sets, visibility rules and row mappings of the public catalog (contract §5), shared by
`catalog_cards` and `catalog_reader`. Visible means: published products, active categories and
collections, active variants of published products, media of the product or an active variant."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import BindParameter, ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import QueryableAttribute, aliased

from avthrift.adapters.sqlalchemy.rows.catalog import (
    AttributeRow,
    CategoryRow,
    CollectionRow,
    MediaRow,
    ProductRow,
    VariantRow,
)
from avthrift.adapters.sqlalchemy.rows.inventory import StockItemRow
from avthrift.domain.catalog.model import InputType, ProductStatus, VariantStatus
from avthrift.domain.catalog.read_models import Attribute, Category, Collection, Media, Variant

PUBLISHED: Final = ProductRow.status == ProductStatus.PUBLISHED.value
ACTIVE_VARIANT: Final = VariantRow.status == VariantStatus.ACTIVE.value

_parent = aliased(CategoryRow, name="parent_category")

CATEGORY_ORDERING: Final[dict[str, QueryableAttribute[Any]]] = {
    "name": CategoryRow.name,
    "slug": CategoryRow.slug,
    "sort_order": CategoryRow.sort_order,
    "id": CategoryRow.id,
}


def active_categories() -> Select[Any]:
    """Active categories; `parent` is null when there is none or it is inactive."""
    return (
        select(
            CategoryRow.id,
            CategoryRow.name,
            CategoryRow.slug,
            CategoryRow.description,
            _parent.id.label("parent"),
            CategoryRow.is_active,
            CategoryRow.sort_order,
        )
        .outerjoin(_parent, and_(_parent.id == CategoryRow.parent_id, _parent.is_active))
        .where(CategoryRow.is_active)
    )


def to_category(row: Row[Any]) -> Category:
    return Category(**row._asdict())


def money(value: Any) -> Decimal | None:
    """A price with two places (SQLite may hand NUMERIC aggregates back as floats)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


VARIANT_ORDERING: Final[dict[str, QueryableAttribute[Any]]] = {
    "sku": VariantRow.sku,
    "id": VariantRow.id,
    "price": VariantRow.price,
}


def visible_variants() -> Select[Any]:
    """Active variants of published products, with what their stock has available."""
    return (
        select(
            VariantRow.id,
            VariantRow.product_id,
            VariantRow.sku,
            VariantRow.price,
            VariantRow.barcode,
            VariantRow.status,
            func.coalesce(StockItemRow.on_hand - StockItemRow.reserved, 0).label("available"),
        )
        .join(ProductRow, ProductRow.id == VariantRow.product_id)
        .outerjoin(StockItemRow, StockItemRow.variant_id == VariantRow.id)
        .where(ACTIVE_VARIANT, PUBLISHED)
    )


def to_variant(row: Row[Any]) -> Variant:
    mapping = row._mapping
    return Variant(
        id=mapping["id"],
        product=mapping["product_id"],
        sku=mapping["sku"],
        price=money(mapping["price"]),
        barcode=mapping["barcode"],
        status=VariantStatus(mapping["status"]),
        available=mapping["available"],
    )


def visible_media(product_id: int | BindParameter[int]) -> Select[Any]:
    """The product's own media and its active variants' media, by (sort_order, id)."""
    return (
        select(
            MediaRow.id,
            MediaRow.url,
            MediaRow.alt_text,
            MediaRow.is_primary,
            MediaRow.sort_order,
            MediaRow.variant_id.label("variant"),
        )
        .outerjoin(VariantRow, VariantRow.id == MediaRow.variant_id)
        .where(MediaRow.product_id == product_id, or_(MediaRow.variant_id.is_(None), ACTIVE_VARIANT))
        .order_by(MediaRow.sort_order, MediaRow.id)
    )


def to_media(row: Row[Any]) -> Media:
    return Media(**row._asdict())


COLLECTION_COLUMNS: Final = (
    CollectionRow.id,
    CollectionRow.name,
    CollectionRow.slug,
    CollectionRow.description,
    CollectionRow.is_active,
    CollectionRow.sort_order,
)
COLLECTION_ORDERING: Final[dict[str, QueryableAttribute[Any]]] = {
    "name": CollectionRow.name,
    "slug": CollectionRow.slug,
    "sort_order": CollectionRow.sort_order,
    "id": CollectionRow.id,
}


def to_collection(row: Row[Any]) -> Collection:
    return Collection(**row._asdict())


ATTRIBUTE_COLUMNS: Final = (
    AttributeRow.id,
    AttributeRow.name,
    AttributeRow.code,
    AttributeRow.input_type,
    AttributeRow.is_filterable,
    AttributeRow.allowed_values,
    AttributeRow.sort_order,
)
ATTRIBUTE_ORDERING: Final[dict[str, QueryableAttribute[Any]]] = {
    "name": AttributeRow.name,
    "sort_order": AttributeRow.sort_order,
    "id": AttributeRow.id,
}


def to_attribute(row: Row[Any]) -> Attribute:
    mapping = row._mapping
    allowed = mapping["allowed_values"]
    return Attribute(
        id=mapping["id"],
        name=mapping["name"],
        code=mapping["code"],
        input_type=InputType(mapping["input_type"]),
        is_filterable=mapping["is_filterable"],
        allowed_values=tuple(str(value) for value in allowed) if isinstance(allowed, list) else None,
        sort_order=mapping["sort_order"],
    )


def searched(columns: Sequence[QueryableAttribute[str]], terms: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """Each term must occur, case-insensitively, in one of `columns` (`%` and `_` are literal)."""
    return [or_(*(column.icontains(term, autoescape=True) for column in columns)) for term in terms]
