"""Product cards in one statement: every card field is a correlated scalar subquery (or EXISTS)
that an index answers, so a list of cards costs one statement however many variants, media and
categories its products carry; a page of the product list costs a count and that statement.

Indexes behind each subquery: prices and stock — `ix_product_variants_product_id_status` and the
unique `stock_items.variant_id`; images — `uq_media_primary_per_product` (PostgreSQL) or
`ix_media_product_id_sort_order`; categories — the unique (product_id, category_id) pair of
`product_categories` and the categories' primary key.
"""

import functools
from typing import Any, Final

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Select,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import QueryableAttribute

from avthrift.adapters.sqlalchemy.pagination import order_by
from avthrift.adapters.sqlalchemy.repositories.catalog_views import ACTIVE_VARIANT, PUBLISHED, money
from avthrift.adapters.sqlalchemy.rows.catalog import (
    CategoryRow,
    MediaRow,
    ProductCategoryRow,
    ProductRow,
    VariantRow,
)
from avthrift.adapters.sqlalchemy.rows.inventory import StockItemRow
from avthrift.domain.catalog.read_models import CategoryRef, ProductCard, ProductQuery
from avthrift.domain.shared.pagination import SortKey

_ESCAPE: Final = "/"

# Every subquery correlates to `products` only: a statement that also joins `product_categories`
# (a category's products) must not leak that join into the primary-category subquery.


def _active_variant_price(aggregate: Any) -> Any:
    """`min`/`max` of the product's active variants' prices (null without a priced one)."""
    return (
        select(aggregate(VariantRow.price))
        .where(VariantRow.product_id == ProductRow.id, ACTIVE_VARIANT)
        .correlate(ProductRow)
        .scalar_subquery()
    )


def _in_stock() -> ColumnElement[bool]:
    return (
        exists()
        .where(
            VariantRow.product_id == ProductRow.id,
            ACTIVE_VARIANT,
            StockItemRow.variant_id == VariantRow.id,
            StockItemRow.on_hand > StockItemRow.reserved,
        )
        .correlate(ProductRow)
    )


def _primary_media_url() -> ColumnElement[str | None]:
    """The product-level primary image, else the first primary image of an active variant."""
    own = (
        select(MediaRow.url)
        .where(MediaRow.product_id == ProductRow.id, MediaRow.variant_id.is_(None), MediaRow.is_primary)
        .limit(1)
        .correlate(ProductRow)
        .scalar_subquery()
    )
    of_variant = (
        select(MediaRow.url)
        .join(VariantRow, VariantRow.id == MediaRow.variant_id)
        .where(MediaRow.product_id == ProductRow.id, MediaRow.is_primary, ACTIVE_VARIANT)
        .order_by(MediaRow.sort_order, MediaRow.id)
        .limit(1)
        .correlate(ProductRow)
        .scalar_subquery()
    )
    return func.coalesce(own, of_variant)


def _primary_category(column: QueryableAttribute[str]) -> Any:
    """A column of the product's first active category in (sort_order, name) order."""
    return (
        select(column)
        .select_from(ProductCategoryRow)
        .join(CategoryRow, CategoryRow.id == ProductCategoryRow.category_id)
        .where(ProductCategoryRow.product_id == ProductRow.id, CategoryRow.is_active)
        .order_by(CategoryRow.sort_order, CategoryRow.name, CategoryRow.id)
        .limit(1)
        .correlate(ProductRow)
        .scalar_subquery()
    )


CARD_COLUMNS: Final = (
    ProductRow.id,
    ProductRow.title,
    ProductRow.slug,
    _primary_media_url().label("primary_media_url"),
    _primary_category(CategoryRow.name).label("category_name"),
    _primary_category(CategoryRow.slug).label("category_slug"),
    _active_variant_price(func.min).label("price_min"),
    _active_variant_price(func.max).label("price_max"),
    _in_stock().label("in_stock"),
)


def to_card(row: Row[Any]) -> ProductCard:
    mapping = row._mapping
    slug = mapping["category_slug"]
    return ProductCard(
        id=mapping["id"],
        title=mapping["title"],
        slug=mapping["slug"],
        primary_media_url=mapping["primary_media_url"],
        primary_category=None if slug is None else CategoryRef(name=mapping["category_name"], slug=slug),
        price_min=money(mapping["price_min"]),
        price_max=money(mapping["price_max"]),
        in_stock=bool(mapping["in_stock"]),
    )


def _in_active_category(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    # EXISTS, not a join: a product in several matching categories is listed once.
    return (
        exists()
        .where(
            ProductCategoryRow.product_id == ProductRow.id,
            CategoryRow.id == ProductCategoryRow.category_id,
            CategoryRow.is_active,
            *conditions,
        )
        .correlate(ProductRow)
    )


def _matches(term: BindParameter[str]) -> ColumnElement[bool]:
    """The (escaped) term occurs, case-insensitively, in the title, the description or an active
    category's name."""
    return or_(
        ProductRow.title.icontains(term, escape=_ESCAPE),
        ProductRow.description.icontains(term, escape=_ESCAPE),
        _in_active_category(CategoryRow.name.icontains(term, escape=_ESCAPE)),
    )


def _escaped(term: str) -> str:
    """`term` with LIKE's wildcards made literal (what `autoescape=True` does for a literal)."""
    return term.replace(_ESCAPE, _ESCAPE * 2).replace("%", f"{_ESCAPE}%").replace("_", f"{_ESCAPE}_")


@functools.lru_cache(maxsize=256)
def card_page(
    ordering: tuple[SortKey, ...], terms: int, by_category: bool
) -> tuple[Select[tuple[int]], Select[Any]]:
    """The count and the page statements of a list of product cards of this shape, built once per
    shape (building a statement costs more than running it); values are bound when they run
    (`card_page_values`).

    The page is chosen first, in a derived table, on the sort keys alone; the card fields are then
    computed for its rows only, never for the rows an offset skips.
    """
    conditions = [PUBLISHED, *(_matches(bindparam(f"term_{index}")) for index in range(terms))]
    if by_category:
        conditions.append(_in_active_category(CategoryRow.slug == bindparam("category")))
    count = select(func.count(ProductRow.id)).where(*conditions)
    sort_keys: dict[str, Any] = {
        "title": ProductRow.title,
        "created_at": ProductRow.created_at,
        "id": ProductRow.id,
    }
    if any(key.field == "price_min" for key in ordering):
        sort_keys["price_min"] = _active_variant_price(func.min)
    labelled = {name: column.label(name) for name, column in sort_keys.items()}
    chosen = (
        select(*labelled.values())
        .where(*conditions)
        .order_by(*order_by(labelled, ordering))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )
    page = (
        select(*CARD_COLUMNS)
        .join(chosen, chosen.c.id == ProductRow.id)
        .order_by(*order_by({name: chosen.c[name] for name in sort_keys}, ordering))
    )
    return count, page


def card_page_values(query: ProductQuery) -> dict[str, Any]:
    """The values `card_page`'s count statement binds (the page statement adds `limit` and `offset`)."""
    values: dict[str, Any] = {f"term_{index}": _escaped(term) for index, term in enumerate(query.search)}
    if query.category is not None:
        values["category"] = query.category
    return values
