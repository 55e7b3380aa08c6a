"""The public catalog's SQL read side (contract §5), built for speed: column selects, no ORM
entities, a bounded number of statements whatever the page size or the number of variants, media
and categories:

- a page of product cards: 2 (a count; the page, chosen on its sort keys in a derived table first
  so that the card subqueries of `catalog_cards` run for the page's rows only, never for skipped ones);
- a product: 3 (the product with its active categories; its active variants with their stock; its
  visible media), its prices, stock and primary image computed from what they load;
- a nested list: 2 (the owner's id, the list); any other page: 2 (`fetch_page`); a detail: 1.
"""

from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import Row, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.pagination import fetch_page, order_by
from avthrift.adapters.sqlalchemy.repositories.catalog_cards import (
    CARD_COLUMNS,
    card_page,
    card_page_values,
    to_card,
)
from avthrift.adapters.sqlalchemy.repositories.catalog_views import (
    ATTRIBUTE_COLUMNS,
    ATTRIBUTE_ORDERING,
    CATEGORY_ORDERING,
    COLLECTION_COLUMNS,
    COLLECTION_ORDERING,
    PUBLISHED,
    VARIANT_ORDERING,
    active_categories,
    searched,
    to_attribute,
    to_category,
    to_collection,
    to_media,
    to_variant,
    visible_media,
    visible_variants,
)
from avthrift.adapters.sqlalchemy.rows.catalog import (
    AttributeRow,
    CategoryRow,
    CollectionProductRow,
    CollectionRow,
    ProductCategoryRow,
    ProductRow,
    VariantRow,
)
from avthrift.domain.catalog.model import ProductStatus
from avthrift.domain.catalog.ports import CatalogReader
from avthrift.domain.catalog.read_models import (
    Attribute,
    AttributeQuery,
    Category,
    CategoryQuery,
    Collection,
    CollectionQuery,
    Media,
    ProductCard,
    ProductDetail,
    ProductQuery,
    Variant,
    VariantQuery,
)
from avthrift.domain.shared.ids import usable_id
from avthrift.domain.shared.pagination import Page, PageRequest

MAX_SLUG_LENGTH: Final = 220  # the longest slug column (products, collections)


def _usable_slug(slug: str) -> bool:
    """A slug that could name a row: longer ones, and NUL bytes (which PostgreSQL refuses), cannot."""
    return 0 < len(slug) <= MAX_SLUG_LENGTH and "\x00" not in slug


# Statements of single reads are built once, with bound parameters: building one (and missing the
# compiled-statement cache, as fresh aliases do) costs more than running it.
_category = aliased(CategoryRow, name="category")
_parent = aliased(CategoryRow, name="parent")
_CATEGORY_BY_SLUG: Final = active_categories().where(CategoryRow.slug == bindparam("slug"))
_CATEGORY_ID: Final = select(CategoryRow.id).where(
    CategoryRow.slug == bindparam("slug"), CategoryRow.is_active
)
_CATEGORY_PRODUCTS: Final = (
    select(*CARD_COLUMNS)
    .join(ProductCategoryRow, ProductCategoryRow.product_id == ProductRow.id)
    .where(ProductCategoryRow.category_id == bindparam("category_id"), PUBLISHED)
    .order_by(ProductRow.title, ProductRow.id)
)
_PRODUCT_ID: Final = select(ProductRow.id).where(ProductRow.slug == bindparam("slug"), PUBLISHED)
_PRODUCT_VARIANTS: Final = (
    visible_variants().where(VariantRow.product_id == bindparam("product_id")).order_by(VariantRow.sku)
)
_PRODUCT_MEDIA: Final = visible_media(bindparam("product_id"))
_COLLECTION_BY_SLUG: Final = select(*COLLECTION_COLUMNS).where(
    CollectionRow.slug == bindparam("slug"), CollectionRow.is_active
)
_COLLECTION_ID: Final = select(CollectionRow.id).where(
    CollectionRow.slug == bindparam("slug"), CollectionRow.is_active
)
_COLLECTION_PRODUCTS: Final = (
    select(*CARD_COLUMNS)
    .join(CollectionProductRow, CollectionProductRow.product_id == ProductRow.id)
    .where(CollectionProductRow.collection_id == bindparam("collection_id"), PUBLISHED)
    .order_by(CollectionProductRow.sort_order, ProductRow.id)
)
_VARIANT_BY_ID: Final = visible_variants().where(VariantRow.id == bindparam("variant_id"))
_ATTRIBUTE_BY_ID: Final = select(*ATTRIBUTE_COLUMNS).where(AttributeRow.id == bindparam("attribute_id"))


def _product_with_categories() -> Select[Any]:
    """One row per active category of the published product `slug` (one row with null category
    columns when it has none), by (sort_order, name); a parent that is inactive shows as null."""
    category, parent = _category, _parent
    return (
        select(
            ProductRow.id,
            ProductRow.title,
            ProductRow.slug,
            ProductRow.description,
            ProductRow.status,
            ProductRow.seo_title,
            ProductRow.seo_description,
            category.id.label("category_id"),
            category.name.label("category_name"),
            category.slug.label("category_slug"),
            category.description.label("category_description"),
            parent.id.label("category_parent"),
            category.sort_order.label("category_sort_order"),
        )
        .outerjoin(ProductCategoryRow, ProductCategoryRow.product_id == ProductRow.id)
        .outerjoin(category, and_(category.id == ProductCategoryRow.category_id, category.is_active))
        .outerjoin(parent, and_(parent.id == category.parent_id, parent.is_active))
        .where(ProductRow.slug == bindparam("slug"), PUBLISHED)
        .order_by(category.sort_order, category.name, category.id)
    )


_PRODUCT_WITH_CATEGORIES: Final = _product_with_categories()


def _categories_of(rows: Sequence[Row[Any]]) -> tuple[Category, ...]:
    return tuple(
        Category(
            id=row.category_id,
            name=row.category_name,
            slug=row.category_slug,
            description=row.category_description,
            parent=row.category_parent,
            is_active=True,
            sort_order=row.category_sort_order,
        )
        for row in rows
        if row.category_id is not None
    )


class SqlAlchemyCatalogReader(CatalogReader):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _connection(self) -> AsyncConnection:
        """The session's connection, run as Core (no ORM result processing). Each read statement
        commits on its own (autocommit): no `BEGIN`/`ROLLBACK` round trips; on SQLite readers never
        queue behind a writer (WAL). A unit of work that already opened a transaction is reused."""
        with translate_errors():
            if self._session.in_transaction():
                return await self._session.connection()
            return await self._session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    async def _rows(self, statement: Select[Any], **params: Any) -> Sequence[Row[Any]]:
        connection = await self._connection()
        with translate_errors():
            return (await connection.execute(statement, params)).all()

    async def _scalar(self, statement: Select[Any], **params: Any) -> Any:
        connection = await self._connection()
        with translate_errors():
            return await connection.scalar(statement, params)

    async def _page[T](
        self, statement: Select[Any], request: PageRequest, to_item: Callable[[Row[Any]], T]
    ) -> Page[T]:
        return await fetch_page(await self._connection(), statement, request, to_item)

    async def _cards(self, statement: Select[Any], **params: Any) -> tuple[ProductCard, ...]:
        return tuple(to_card(row) for row in await self._rows(statement, **params))

    # categories

    async def categories(self, query: CategoryQuery) -> Page[Category]:
        statement = active_categories().order_by(*order_by(CATEGORY_ORDERING, query.ordering))
        return await self._page(statement, query.page, to_category)

    async def category(self, slug: str) -> Category | None:
        if not _usable_slug(slug):
            return None
        rows = await self._rows(_CATEGORY_BY_SLUG, slug=slug)
        return to_category(rows[0]) if rows else None

    async def category_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        if not _usable_slug(slug):
            return None
        category_id = await self._scalar(_CATEGORY_ID, slug=slug)
        if category_id is None:
            return None
        return await self._cards(_CATEGORY_PRODUCTS, category_id=category_id)

    # products

    async def products(self, query: ProductQuery) -> Page[ProductCard]:
        count, page = card_page(query.ordering, len(query.search), query.category is not None)
        values = card_page_values(query)
        total = int(await self._scalar(count, **values) or 0)
        query.page.check(total)
        if not total:
            return Page(items=(), total=0, request=query.page)
        cards = await self._cards(page, **values, limit=query.page.size, offset=query.page.offset)
        return Page(items=cards, total=total, request=query.page)

    async def _product_id(self, slug: str) -> int | None:
        if not _usable_slug(slug):
            return None
        product_id: int | None = await self._scalar(_PRODUCT_ID, slug=slug)
        return product_id

    async def product(self, slug: str) -> ProductDetail | None:
        if not _usable_slug(slug):
            return None
        rows = await self._rows(_PRODUCT_WITH_CATEGORIES, slug=slug)
        if not rows:
            return None
        product = rows[0]._mapping
        variants = await self._rows(_PRODUCT_VARIANTS, product_id=product["id"])
        media = await self._rows(_PRODUCT_MEDIA, product_id=product["id"])
        return ProductDetail(
            id=product["id"],
            title=product["title"],
            slug=product["slug"],
            description=product["description"],
            status=ProductStatus(product["status"]),
            seo_title=product["seo_title"],
            seo_description=product["seo_description"],
            categories=_categories_of(rows),
            media=tuple(to_media(row) for row in media),
            variants=tuple(to_variant(row) for row in variants),
        )

    async def product_variants(self, slug: str) -> tuple[Variant, ...] | None:
        product_id = await self._product_id(slug)
        if product_id is None:
            return None
        return tuple(to_variant(row) for row in await self._rows(_PRODUCT_VARIANTS, product_id=product_id))

    async def product_media(self, slug: str) -> tuple[Media, ...] | None:
        product_id = await self._product_id(slug)
        if product_id is None:
            return None
        return tuple(to_media(row) for row in await self._rows(_PRODUCT_MEDIA, product_id=product_id))

    # collections

    async def collections(self, query: CollectionQuery) -> Page[Collection]:
        statement = (
            select(*COLLECTION_COLUMNS)
            .where(CollectionRow.is_active)
            .order_by(*order_by(COLLECTION_ORDERING, query.ordering))
        )
        return await self._page(statement, query.page, to_collection)

    async def collection(self, slug: str) -> Collection | None:
        if not _usable_slug(slug):
            return None
        rows = await self._rows(_COLLECTION_BY_SLUG, slug=slug)
        return to_collection(rows[0]) if rows else None

    async def collection_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        if not _usable_slug(slug):
            return None
        collection_id = await self._scalar(_COLLECTION_ID, slug=slug)
        if collection_id is None:
            return None
        return await self._cards(_COLLECTION_PRODUCTS, collection_id=collection_id)

    # variants

    async def variants(self, query: VariantQuery) -> Page[Variant]:
        conditions = searched((VariantRow.sku, VariantRow.barcode), query.search)
        if query.product is not None:
            conditions.append(ProductRow.slug == query.product)
        if query.status is not None:
            conditions.append(VariantRow.status == query.status.value)
        statement = (
            visible_variants().where(*conditions).order_by(*order_by(VARIANT_ORDERING, query.ordering))
        )
        return await self._page(statement, query.page, to_variant)

    async def variant(self, variant_id: int) -> Variant | None:
        if not usable_id(variant_id):
            return None
        rows = await self._rows(_VARIANT_BY_ID, variant_id=variant_id)
        return to_variant(rows[0]) if rows else None

    # attributes

    async def attributes(self, query: AttributeQuery) -> Page[Attribute]:
        conditions = searched((AttributeRow.name, AttributeRow.code), query.search)
        if query.is_filterable is not None:
            conditions.append(AttributeRow.is_filterable == query.is_filterable)
        statement = (
            select(*ATTRIBUTE_COLUMNS)
            .where(*conditions)
            .order_by(*order_by(ATTRIBUTE_ORDERING, query.ordering))
        )
        return await self._page(statement, query.page, to_attribute)

    async def attribute(self, attribute_id: int) -> Attribute | None:
        if not usable_id(attribute_id):
            return None
        rows = await self._rows(_ATTRIBUTE_BY_ID, attribute_id=attribute_id)
        return to_attribute(rows[0]) if rows else None
