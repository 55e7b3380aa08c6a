"""The public catalog's use cases against an in-memory reader: how requests become queries (search
terms, ordering whitelists, blank filters) and how a missing or hidden record becomes a 404."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from avthrift.domain.catalog.model import ProductStatus, VariantStatus
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
from avthrift.domain.catalog.use_cases import browse
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.pagination import FIRST_PAGE, Page, PageRequest, SortKey
from tests.fakes import FakeUnitOfWork


@dataclass
class EmptyReader(CatalogReader):
    """Knows no record; remembers every query it is asked."""

    queries: list[Any] = field(default_factory=list)

    def _page(self, query: Any) -> Page[Any]:
        self.queries.append(query)
        return Page(items=(), total=0, request=query.page)

    async def categories(self, query: CategoryQuery) -> Page[Category]:
        return self._page(query)

    async def category(self, slug: str) -> Category | None:
        return None

    async def category_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        return None

    async def products(self, query: ProductQuery) -> Page[ProductCard]:
        return self._page(query)

    async def product(self, slug: str) -> ProductDetail | None:
        return None

    async def product_variants(self, slug: str) -> tuple[Variant, ...] | None:
        return None

    async def product_media(self, slug: str) -> tuple[Media, ...] | None:
        return None

    async def collections(self, query: CollectionQuery) -> Page[Collection]:
        return self._page(query)

    async def collection(self, slug: str) -> Collection | None:
        return None

    async def collection_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        return None

    async def variants(self, query: VariantQuery) -> Page[Variant]:
        return self._page(query)

    async def variant(self, variant_id: int) -> Variant | None:
        return None

    async def attributes(self, query: AttributeQuery) -> Page[Attribute]:
        return self._page(query)

    async def attribute(self, attribute_id: int) -> Attribute | None:
        return None


@pytest.fixture
def reader() -> EmptyReader:
    return EmptyReader()


def use(case: type[Any], reader: EmptyReader) -> Any:
    return case(FakeUnitOfWork(), reader)


async def test_search_and_q_terms_combine_and_a_blank_category_is_no_filter(reader: EmptyReader) -> None:
    await use(browse.ListProducts, reader)(search='blue "denim jacket"', q="vintage,90s", category="")
    assert reader.queries == [
        ProductQuery(
            category=None,
            search=("blue", "denim jacket", "vintage", "90s"),
            ordering=(SortKey("title"), SortKey("id")),
            page=FIRST_PAGE,
        )
    ]


@pytest.mark.parametrize(
    ("case", "ordering", "expected"),
    [
        (browse.ListProducts, None, ("title", "id")),
        (browse.ListProducts, "-price_min,slug", ("-price_min", "id")),
        (browse.ListProducts, "status", ("title", "id")),
        (browse.ListProducts, "created_at,-id", ("created_at", "id")),  # `id` is not whitelisted here
        (browse.ListCategories, None, ("sort_order", "name", "id")),
        (browse.ListCategories, "-slug,description", ("-slug", "id")),
        (browse.ListCollections, "name", ("name", "id")),
        (browse.ListCollections, "is_active", ("sort_order", "name", "id")),
        (browse.ListVariants, None, ("sku", "id")),
        (browse.ListVariants, "-price,barcode", ("-price", "id")),
        (browse.ListAttributes, None, ("sort_order", "name", "id")),
        (browse.ListAttributes, "code,-name", ("-name", "id")),
    ],
)
async def test_ordering_keeps_whitelisted_fields_and_ends_with_id(
    reader: EmptyReader, case: type[Any], ordering: str | None, expected: tuple[str, ...]
) -> None:
    await use(case, reader)(ordering=ordering, page=PageRequest(number=1, size=5))
    (query,) = reader.queries
    assert tuple(f"-{key.field}" if key.descending else key.field for key in query.ordering) == expected
    assert query.page == PageRequest(number=1, size=5)


async def test_variant_and_attribute_filters_reach_the_reader(reader: EmptyReader) -> None:
    await use(browse.ListVariants, reader)(product="coat", status=VariantStatus.INACTIVE, search="red 42")
    await use(browse.ListAttributes, reader)(is_filterable=False, search="size")
    variants, attributes = reader.queries
    assert (variants.product, variants.status, variants.search) == (
        "coat",
        VariantStatus.INACTIVE,
        ("red", "42"),
    )
    assert (attributes.is_filterable, attributes.search) == (False, ("size",))


MISSING: list[tuple[Callable[[EmptyReader], Awaitable[Any]], str]] = [
    (lambda reader: use(browse.GetCategory, reader)("shoes"), "No Category matches the given query."),
    (
        lambda reader: use(browse.ListCategoryProducts, reader)("shoes"),
        "No Category matches the given query.",
    ),
    (lambda reader: use(browse.GetProduct, reader)("boots"), "No Product matches the given query."),
    (lambda reader: use(browse.ListProductVariants, reader)("boots"), "Not found."),
    (lambda reader: use(browse.ListProductMedia, reader)("boots"), "Not found."),
    (lambda reader: use(browse.GetCollection, reader)("summer"), "No Collection matches the given query."),
    (
        lambda reader: use(browse.ListCollectionProducts, reader)("summer"),
        "No Collection matches the given query.",
    ),
    (lambda reader: use(browse.GetVariant, reader)(7), "No ProductVariant matches the given query."),
    (lambda reader: use(browse.GetAttribute, reader)(7), "No Attribute matches the given query."),
]


@pytest.mark.parametrize(("call", "detail"), MISSING)
async def test_what_the_reader_cannot_show_is_not_found(
    reader: EmptyReader, call: Callable[[EmptyReader], Awaitable[Any]], detail: str
) -> None:
    with pytest.raises(NotFoundError) as raised:
        await call(reader)
    assert (raised.value.code, raised.value.detail) == ("not_found", detail)


def _variant(variant_id: int, price: str | None, available: int) -> Variant:
    return Variant(
        id=variant_id,
        product=1,
        sku=f"SKU-{variant_id}",
        price=None if price is None else Decimal(price),
        barcode="",
        status=VariantStatus.ACTIVE,
        available=available,
    )


def _media(media_id: int, variant: int | None, *, primary: bool) -> Media:
    return Media(
        id=media_id,
        url=f"https://img/{media_id}",
        alt_text="",
        is_primary=primary,
        sort_order=0,
        variant=variant,
    )


@pytest.mark.parametrize(
    ("variants", "media", "expected"),
    [
        ((), (), (None, None, False, None)),
        (
            (_variant(1, "9.5", 0), _variant(2, None, 0), _variant(3, "12", 2)),
            (_media(1, 1, primary=True), _media(2, None, primary=False), _media(3, None, primary=True)),
            (Decimal("9.5"), Decimal("12"), True, "https://img/3"),
        ),
        (
            (_variant(1, None, 0),),
            (_media(1, None, primary=False), _media(2, 1, primary=True)),
            (None, None, False, "https://img/2"),
        ),
    ],
)
def test_a_product_derives_prices_stock_and_its_primary_image(
    variants: tuple[Variant, ...], media: tuple[Media, ...], expected: tuple[Any, ...]
) -> None:
    product = ProductDetail(
        id=1,
        title="T",
        slug="t",
        description="",
        status=ProductStatus.PUBLISHED,
        seo_title="",
        seo_description="",
        categories=(),
        media=media,
        variants=variants,
    )
    assert (product.price_min, product.price_max, product.in_stock, product.primary_media_url) == expected
