"""`/api/v1/catalog/`: the public catalog, anonymous and read-only (reference §1.5, contract §5).

Visibility is the same on every route, nested lists included: only published products, active
categories and collections, active variants of published products, and media of the product or of
one of its active variants. An unknown or hidden slug or id is `404`. Other methods are `405`.
"""

from typing import Annotated, Any, Final

from dishka import FromDishka
from litestar import Controller, Request, get
from litestar.params import PathParameter, QueryParameter
from litestar.types import ControllerRouterHandler

from avthrift.domain.catalog.model import VariantStatus
from avthrift.domain.catalog.use_cases.browse import (
    GetAttribute,
    GetCategory,
    GetCollection,
    GetProduct,
    GetVariant,
    ListAttributes,
    ListCategories,
    ListCategoryProducts,
    ListCollectionProducts,
    ListCollections,
    ListProductMedia,
    ListProducts,
    ListProductVariants,
    ListVariants,
)
from avthrift.domain.shared.pagination import DEFAULT_PAGE_SIZE
from avthrift.entrypoints.http.catalog.public_schemas import (
    AttributeOut,
    CategoryOut,
    CollectionOut,
    MediaOut,
    ProductCardOut,
    ProductDetailOut,
    VariantOut,
    attribute_out,
    card_out,
    category_out,
    collection_out,
    media_out,
    product_out,
    variant_out,
)
from avthrift.entrypoints.http.pagination import PageNumber, PageSize, Paginated, page_request, paginated
from avthrift.entrypoints.http.patterns import NO_NUL
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

_ANY_BUT_SLASH: Final = r"^[^/\x00]+$"


def _slug(max_length: int, what: str) -> PathParameter:
    return PathParameter(
        min_length=1,
        max_length=max_length,
        pattern=_ANY_BUT_SLASH,
        description=f"The {what}'s slug (any character but `/`).",
    )


CategorySlug = Annotated[str, _slug(140, "category")]
ProductSlug = Annotated[str, _slug(220, "product")]
CollectionSlug = Annotated[str, _slug(220, "collection")]
VariantId = Annotated[int, PathParameter(ge=1, description="The variant's id.")]
AttributeId = Annotated[int, PathParameter(ge=1, description="The attribute's id.")]


def _ordering(fields: str, default: str) -> QueryParameter:
    return QueryParameter(
        max_length=200,
        description=f"Comma-separated fields among {fields}; `-` descends; unknown fields are "
        f"ignored; `id` breaks ties. Default `{default}`.",
    )


def _search(fields: str) -> QueryParameter:
    return QueryParameter(
        pattern=NO_NUL,
        max_length=200,
        description="Terms (split on spaces and commas; quotes keep a phrase) that must each occur, "
        f"case-insensitively, in {fields}.",
    )


GroupOrdering = Annotated[str | None, _ordering("`name`, `slug`, `sort_order`, `id`", "sort_order,name")]
ProductOrdering = Annotated[str | None, _ordering("`title`, `created_at`, `price_min`", "title")]
VariantOrdering = Annotated[str | None, _ordering("`sku`, `id`, `price`", "sku")]
AttributeOrdering = Annotated[str | None, _ordering("`name`, `sort_order`, `id`", "sort_order,name")]
ProductSearch = Annotated[str | None, _search("the title, the description or an active category's name")]
ProductQ = Annotated[
    str | None,
    QueryParameter(
        pattern=NO_NUL,
        max_length=200,
        description="Same as `search`; when both are given, the terms of both must match.",
    ),
]
CategoryFilter = Annotated[
    str | None,
    QueryParameter(
        pattern=NO_NUL,
        max_length=140,
        description="Only products linked to the active category with this slug (exact).",
    ),
]
ProductFilter = Annotated[
    str | None,
    QueryParameter(
        pattern=NO_NUL, max_length=220, description="Only variants of the product with this slug."
    ),
]
StatusFilter = Annotated[
    VariantStatus | None,
    QueryParameter(description="Only variants with this status (only active ones are public)."),
]
FilterableFilter = Annotated[
    bool | None,
    QueryParameter(description="`true` or `false`; any other value is `400`."),
]

_PROBLEMS: Final = problem_responses(400, 404, 429)
_PAGED: Final = 'Paginated (`page`, `page_size` ≤ 100); `404 "Invalid page."` past the last page.'
_CARD: Final = (
    "A card's `price_min`, `price_max` and `in_stock` cover the product's active variants; "
    "`primary_media_url` prefers the product-level primary image."
)


def _missing(model: str, hidden: str) -> str:
    return (
        f'`404 "No {model} matches the given query."` when the slug is unknown or the '
        f"{model.lower()} {hidden}."
    )


class CategoriesController(Controller):
    path = "/api/v1/catalog/categories"
    tags = ["catalog"]  # noqa: RUF012
    opt = {RATE_SCOPE: "catalog"}  # noqa: RUF012 - every operation here, OPTIONS included

    @get(
        summary="Active categories",
        description=f"Active categories only; `parent` is `null` when the parent is inactive. {_PAGED}",
        responses=_PROBLEMS,
    )
    async def list_categories(
        self,
        request: Request[Any, Any, Any],
        list_categories: FromDishka[ListCategories],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        ordering: GroupOrdering = None,
    ) -> Paginated[CategoryOut]:
        found = await list_categories(ordering=ordering, page=page_request(page, page_size))
        return paginated(request, found, category_out)

    @get(
        "/{slug:str}",
        summary="One active category",
        description=_missing("Category", "is inactive"),
        responses=_PROBLEMS,
    )
    async def get_category(self, slug: CategorySlug, get_category: FromDishka[GetCategory]) -> CategoryOut:
        return category_out(await get_category(slug))

    @get(
        "/{slug:str}/products",
        summary="Products of an active category",
        description="A plain array of the cards of the category's published products, by title. "
        f"{_CARD} {_missing('Category', 'is inactive')}",
        responses=_PROBLEMS,
    )
    async def list_category_products(
        self, slug: CategorySlug, list_products: FromDishka[ListCategoryProducts]
    ) -> list[ProductCardOut]:
        return [card_out(card) for card in await list_products(slug)]


class ProductsController(Controller):
    path = "/api/v1/catalog/products"
    tags = ["catalog"]  # noqa: RUF012
    opt = {RATE_SCOPE: "catalog"}  # noqa: RUF012 - every operation here, OPTIONS included

    @get(
        summary="Published products",
        description=f"Cards of published products only. {_CARD} {_PAGED}",
        responses=_PROBLEMS,
    )
    async def list_products(
        self,
        request: Request[Any, Any, Any],
        list_products: FromDishka[ListProducts],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        category: CategoryFilter = None,
        search: ProductSearch = None,
        q: ProductQ = None,
        ordering: ProductOrdering = None,
    ) -> Paginated[ProductCardOut]:
        found = await list_products(
            category=category,
            search=search,
            q=q,
            ordering=ordering,
            page=page_request(page, page_size),
        )
        return paginated(request, found, card_out)

    @get(
        "/{slug:str}",
        summary="One published product",
        description="With its active categories (by sort_order, name), its media and its active "
        "variants' media (by sort_order, id) and its active variants (by sku). "
        + _missing("Product", "is not published"),
        responses=_PROBLEMS,
    )
    async def get_product(self, slug: ProductSlug, get_product: FromDishka[GetProduct]) -> ProductDetailOut:
        return product_out(await get_product(slug))

    @get(
        "/{slug:str}/variants",
        summary="Active variants of a published product",
        description='A plain array, by sku. `404 "Not found."` for an unknown or unpublished product.',
        responses=_PROBLEMS,
    )
    async def list_product_variants(
        self, slug: ProductSlug, list_variants: FromDishka[ListProductVariants]
    ) -> list[VariantOut]:
        return [variant_out(variant) for variant in await list_variants(slug)]

    @get(
        "/{slug:str}/media",
        summary="Media of a published product",
        description="A plain array of the product's media and its active variants' media, by "
        '(sort_order, id). `404 "Not found."` for an unknown or unpublished product.',
        responses=_PROBLEMS,
    )
    async def list_product_media(
        self, slug: ProductSlug, list_media: FromDishka[ListProductMedia]
    ) -> list[MediaOut]:
        return [media_out(media) for media in await list_media(slug)]


class CollectionsController(Controller):
    path = "/api/v1/catalog/collections"
    tags = ["catalog"]  # noqa: RUF012
    opt = {RATE_SCOPE: "catalog"}  # noqa: RUF012 - every operation here, OPTIONS included

    @get(
        summary="Active collections",
        description=f"Active collections only. {_PAGED}",
        responses=_PROBLEMS,
    )
    async def list_collections(
        self,
        request: Request[Any, Any, Any],
        list_collections: FromDishka[ListCollections],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        ordering: GroupOrdering = None,
    ) -> Paginated[CollectionOut]:
        found = await list_collections(ordering=ordering, page=page_request(page, page_size))
        return paginated(request, found, collection_out)

    @get(
        "/{slug:str}",
        summary="One active collection",
        description=_missing("Collection", "is inactive"),
        responses=_PROBLEMS,
    )
    async def get_collection(
        self, slug: CollectionSlug, get_collection: FromDishka[GetCollection]
    ) -> CollectionOut:
        return collection_out(await get_collection(slug))

    @get(
        "/{slug:str}/products",
        summary="Products of an active collection",
        description="A plain array of the cards of the collection's published products in curated "
        f"order (the link's sort_order, then product id). {_CARD} {_missing('Collection', 'is inactive')}",
        responses=_PROBLEMS,
    )
    async def list_collection_products(
        self, slug: CollectionSlug, list_products: FromDishka[ListCollectionProducts]
    ) -> list[ProductCardOut]:
        return [card_out(card) for card in await list_products(slug)]


class VariantsController(Controller):
    path = "/api/v1/catalog/variants"
    tags = ["catalog"]  # noqa: RUF012
    opt = {RATE_SCOPE: "catalog"}  # noqa: RUF012 - every operation here, OPTIONS included

    @get(
        summary="Active variants of published products",
        description="Active variants of published products only (so `status=inactive` lists "
        f"nothing). `available` is on hand minus reserved. {_PAGED}",
        responses=_PROBLEMS,
    )
    async def list_variants(
        self,
        request: Request[Any, Any, Any],
        list_variants: FromDishka[ListVariants],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        product: ProductFilter = None,
        status: StatusFilter = None,
        search: Annotated[str | None, _search("the sku or the barcode")] = None,
        ordering: VariantOrdering = None,
    ) -> Paginated[VariantOut]:
        found = await list_variants(
            product=product,
            status=status,
            search=search,
            ordering=ordering,
            page=page_request(page, page_size),
        )
        return paginated(request, found, variant_out)

    @get(
        "/{variant_id:int}",
        summary="One active variant of a published product",
        description='`404 "No ProductVariant matches the given query."` when the id is unknown, the '
        "variant inactive or its product not published.",
        responses=_PROBLEMS,
    )
    async def get_variant(self, variant_id: VariantId, get_variant: FromDishka[GetVariant]) -> VariantOut:
        return variant_out(await get_variant(variant_id))


class AttributesController(Controller):
    path = "/api/v1/catalog/attributes"
    tags = ["catalog"]  # noqa: RUF012
    opt = {RATE_SCOPE: "catalog"}  # noqa: RUF012 - every operation here, OPTIONS included

    @get(
        summary="Product attributes",
        description=f"Every attribute (all are public). {_PAGED}",
        responses=_PROBLEMS,
    )
    async def list_attributes(
        self,
        request: Request[Any, Any, Any],
        list_attributes: FromDishka[ListAttributes],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        is_filterable: FilterableFilter = None,
        search: Annotated[str | None, _search("the name or the code")] = None,
        ordering: AttributeOrdering = None,
    ) -> Paginated[AttributeOut]:
        found = await list_attributes(
            is_filterable=is_filterable,
            search=search,
            ordering=ordering,
            page=page_request(page, page_size),
        )
        return paginated(request, found, attribute_out)

    @get(
        "/{attribute_id:int}",
        summary="One attribute",
        description='`404 "No Attribute matches the given query."` for an unknown id.',
        responses=_PROBLEMS,
    )
    async def get_attribute(
        self, attribute_id: AttributeId, get_attribute: FromDishka[GetAttribute]
    ) -> AttributeOut:
        return attribute_out(await get_attribute(attribute_id))


HANDLERS: tuple[ControllerRouterHandler, ...] = (
    CategoriesController,
    ProductsController,
    CollectionsController,
    VariantsController,
    AttributesController,
)
