"""Wire types of the public catalog, `/api/v1/catalog/` (reference §1.5, contract §5)."""

from typing import Annotated

import msgspec

from avthrift.domain.catalog.model import InputType, ProductStatus, VariantStatus
from avthrift.domain.catalog.read_models import (
    Attribute,
    Category,
    Collection,
    Media,
    ProductCard,
    ProductDetail,
    Variant,
)
from avthrift.entrypoints.http.money import optional_money

Money = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]+\.[0-9]{2}$", description='A decimal string, two places: "10.00".')
]


class CategoryOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    slug: str
    description: str
    parent: Annotated[
        int | None, msgspec.Meta(description="The parent's id; `null` without one or when it is inactive.")
    ]
    is_active: bool
    sort_order: int


class PrimaryCategoryOut(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    slug: str


class ProductCardOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    slug: str
    primary_media_url: Annotated[
        str | None,
        msgspec.Meta(
            description="The product-level primary image, else the first primary image of an active "
            "variant (by sort_order, id), else `null`."
        ),
    ]
    primary_category: Annotated[
        PrimaryCategoryOut | None,
        msgspec.Meta(description="The first active category by (sort_order, name), or `null`."),
    ]
    price_min: Annotated[
        Money | None, msgspec.Meta(description="Lowest price of an active variant; `null` without one.")
    ]
    price_max: Annotated[
        Money | None, msgspec.Meta(description="Highest price of an active variant; `null` without one.")
    ]
    in_stock: Annotated[bool, msgspec.Meta(description="Some active variant has stock available.")]


class MediaOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    url: str
    alt_text: str
    is_primary: bool
    sort_order: int
    variant: Annotated[int | None, msgspec.Meta(description="The variant's id; `null` for product media.")]


class VariantOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    product: Annotated[int, msgspec.Meta(description="The product's id.")]
    sku: str
    price: Money | None
    barcode: str
    status: VariantStatus
    available: Annotated[int, msgspec.Meta(description="On hand minus reserved; 0 without a stock row.")]


class ProductDetailOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    slug: str
    description: str
    status: ProductStatus
    seo_title: str
    seo_description: str
    categories: Annotated[
        list[CategoryOut], msgspec.Meta(description="Active categories, by (sort_order, name).")
    ]
    media: Annotated[
        list[MediaOut],
        msgspec.Meta(description="Product media and media of active variants, by (sort_order, id)."),
    ]
    variants: Annotated[list[VariantOut], msgspec.Meta(description="Active variants, by sku.")]
    price_min: Money | None
    price_max: Money | None
    in_stock: bool
    primary_media_url: str | None


class CollectionOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    slug: str
    description: str
    is_active: bool
    sort_order: int


class AttributeOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    code: str
    input_type: InputType
    is_filterable: bool
    allowed_values: list[str] | None
    sort_order: int


def category_out(category: Category) -> CategoryOut:
    return CategoryOut(
        id=category.id,
        name=category.name,
        slug=category.slug,
        description=category.description,
        parent=category.parent,
        is_active=category.is_active,
        sort_order=category.sort_order,
    )


def card_out(card: ProductCard) -> ProductCardOut:
    primary = card.primary_category
    return ProductCardOut(
        id=card.id,
        title=card.title,
        slug=card.slug,
        primary_media_url=card.primary_media_url,
        primary_category=None
        if primary is None
        else PrimaryCategoryOut(name=primary.name, slug=primary.slug),
        price_min=optional_money(card.price_min),
        price_max=optional_money(card.price_max),
        in_stock=card.in_stock,
    )


def media_out(media: Media) -> MediaOut:
    return MediaOut(
        id=media.id,
        url=media.url,
        alt_text=media.alt_text,
        is_primary=media.is_primary,
        sort_order=media.sort_order,
        variant=media.variant,
    )


def variant_out(variant: Variant) -> VariantOut:
    return VariantOut(
        id=variant.id,
        product=variant.product,
        sku=variant.sku,
        price=optional_money(variant.price),
        barcode=variant.barcode,
        status=variant.status,
        available=variant.available,
    )


def product_out(product: ProductDetail) -> ProductDetailOut:
    return ProductDetailOut(
        id=product.id,
        title=product.title,
        slug=product.slug,
        description=product.description,
        status=product.status,
        seo_title=product.seo_title,
        seo_description=product.seo_description,
        categories=[category_out(category) for category in product.categories],
        media=[media_out(media) for media in product.media],
        variants=[variant_out(variant) for variant in product.variants],
        price_min=optional_money(product.price_min),
        price_max=optional_money(product.price_max),
        in_stock=product.in_stock,
        primary_media_url=product.primary_media_url,
    )


def collection_out(collection: Collection) -> CollectionOut:
    return CollectionOut(
        id=collection.id,
        name=collection.name,
        slug=collection.slug,
        description=collection.description,
        is_active=collection.is_active,
        sort_order=collection.sort_order,
    )


def attribute_out(attribute: Attribute) -> AttributeOut:
    return AttributeOut(
        id=attribute.id,
        name=attribute.name,
        code=attribute.code,
        input_type=attribute.input_type,
        is_filterable=attribute.is_filterable,
        allowed_values=None if attribute.allowed_values is None else list(attribute.allowed_values),
        sort_order=attribute.sort_order,
    )
