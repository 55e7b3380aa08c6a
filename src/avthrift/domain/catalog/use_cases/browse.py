"""Browsing the public catalog (reference §1.5, contract §5): anonymous, read-only.

A slug or id that is unknown or hidden (draft product, inactive category, collection or variant) is
`404` with the reference's message: "No <Model> matches the given query." for a detail, "Not found."
for a product's nested lists.
"""

from avthrift.domain.catalog.errors import RecordNotFoundError
from avthrift.domain.catalog.model import VariantStatus
from avthrift.domain.catalog.ports import CatalogReader
from avthrift.domain.catalog.read_models import (
    ATTRIBUTE_ORDERING_FIELDS,
    CATEGORY_ORDERING_FIELDS,
    COLLECTION_ORDERING_FIELDS,
    DEFAULT_ATTRIBUTE_ORDERING,
    DEFAULT_CATEGORY_ORDERING,
    DEFAULT_COLLECTION_ORDERING,
    DEFAULT_PRODUCT_ORDERING,
    DEFAULT_VARIANT_ORDERING,
    PRODUCT_ORDERING_FIELDS,
    VARIANT_ORDERING_FIELDS,
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
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.pagination import FIRST_PAGE, Page, PageRequest, parse_ordering, search_terms
from avthrift.domain.shared.ports import UnitOfWork


class _Browse:
    def __init__(self, uow: UnitOfWork, reader: CatalogReader) -> None:
        self._uow, self._reader = uow, reader


class ListCategories(_Browse):
    async def __call__(
        self, *, ordering: str | None = None, page: PageRequest = FIRST_PAGE
    ) -> Page[Category]:
        """Active categories; `ordering` over name, slug, sort_order, id (default sort_order, name)."""
        query = CategoryQuery(
            ordering=parse_ordering(ordering, CATEGORY_ORDERING_FIELDS, DEFAULT_CATEGORY_ORDERING), page=page
        )
        async with self._uow:
            return await self._reader.categories(query)


class GetCategory(_Browse):
    async def __call__(self, slug: str) -> Category:
        async with self._uow:
            category = await self._reader.category(slug)
        if category is None:
            raise RecordNotFoundError("Category")
        return category


class ListCategoryProducts(_Browse):
    async def __call__(self, slug: str) -> tuple[ProductCard, ...]:
        """Published products of an active category, by title."""
        async with self._uow:
            cards = await self._reader.category_products(slug)
        if cards is None:
            raise RecordNotFoundError("Category")
        return cards


class ListProducts(_Browse):
    async def __call__(
        self,
        *,
        category: str | None = None,
        search: str | None = None,
        q: str | None = None,
        ordering: str | None = None,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[ProductCard]:
        """Published products; `search` and `q` terms combine (every term must match);
        `ordering` over title, created_at, price_min (default title)."""
        query = ProductQuery(
            category=category or None,
            search=search_terms(search) + search_terms(q),
            ordering=parse_ordering(ordering, PRODUCT_ORDERING_FIELDS, DEFAULT_PRODUCT_ORDERING),
            page=page,
        )
        async with self._uow:
            return await self._reader.products(query)


class GetProduct(_Browse):
    async def __call__(self, slug: str) -> ProductDetail:
        async with self._uow:
            product = await self._reader.product(slug)
        if product is None:
            raise RecordNotFoundError("Product")
        return product


class ListProductVariants(_Browse):
    async def __call__(self, slug: str) -> tuple[Variant, ...]:
        async with self._uow:
            variants = await self._reader.product_variants(slug)
        if variants is None:
            raise NotFoundError
        return variants


class ListProductMedia(_Browse):
    async def __call__(self, slug: str) -> tuple[Media, ...]:
        async with self._uow:
            media = await self._reader.product_media(slug)
        if media is None:
            raise NotFoundError
        return media


class ListCollections(_Browse):
    async def __call__(
        self, *, ordering: str | None = None, page: PageRequest = FIRST_PAGE
    ) -> Page[Collection]:
        """Active collections; `ordering` over name, slug, sort_order, id (default sort_order, name)."""
        query = CollectionQuery(
            ordering=parse_ordering(ordering, COLLECTION_ORDERING_FIELDS, DEFAULT_COLLECTION_ORDERING),
            page=page,
        )
        async with self._uow:
            return await self._reader.collections(query)


class GetCollection(_Browse):
    async def __call__(self, slug: str) -> Collection:
        async with self._uow:
            collection = await self._reader.collection(slug)
        if collection is None:
            raise RecordNotFoundError("Collection")
        return collection


class ListCollectionProducts(_Browse):
    async def __call__(self, slug: str) -> tuple[ProductCard, ...]:
        """Published products of an active collection, in curated order."""
        async with self._uow:
            cards = await self._reader.collection_products(slug)
        if cards is None:
            raise RecordNotFoundError("Collection")
        return cards


class ListVariants(_Browse):
    async def __call__(
        self,
        *,
        product: str | None = None,
        status: VariantStatus | None = None,
        search: str | None = None,
        ordering: str | None = None,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[Variant]:
        """Active variants of published products; `product` is a product slug; `search` terms
        must each occur in sku or barcode; `ordering` over sku, id, price (default sku)."""
        query = VariantQuery(
            product=product or None,
            status=status,
            search=search_terms(search),
            ordering=parse_ordering(ordering, VARIANT_ORDERING_FIELDS, DEFAULT_VARIANT_ORDERING),
            page=page,
        )
        async with self._uow:
            return await self._reader.variants(query)


class GetVariant(_Browse):
    async def __call__(self, variant_id: int) -> Variant:
        async with self._uow:
            variant = await self._reader.variant(variant_id)
        if variant is None:
            raise RecordNotFoundError("ProductVariant")
        return variant


class ListAttributes(_Browse):
    async def __call__(
        self,
        *,
        is_filterable: bool | None = None,
        search: str | None = None,
        ordering: str | None = None,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[Attribute]:
        """Every attribute; `search` terms must each occur in name or code; `ordering` over name,
        sort_order, id (default sort_order, name)."""
        query = AttributeQuery(
            is_filterable=is_filterable,
            search=search_terms(search),
            ordering=parse_ordering(ordering, ATTRIBUTE_ORDERING_FIELDS, DEFAULT_ATTRIBUTE_ORDERING),
            page=page,
        )
        async with self._uow:
            return await self._reader.attributes(query)


class GetAttribute(_Browse):
    async def __call__(self, attribute_id: int) -> Attribute:
        async with self._uow:
            attribute = await self._reader.attribute(attribute_id)
        if attribute is None:
            raise RecordNotFoundError("Attribute")
        return attribute
