"""What the public catalog shows (reference §1.5, contract §5) and the queries that list it.

Visibility is the same everywhere public, nested lists included: only published products, active
categories and collections, active variants of published products, and media of the product itself
or of one of its active variants. A category whose parent is hidden shows no parent.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from avthrift.domain.catalog.model import InputType, ProductStatus, VariantStatus
from avthrift.domain.shared.pagination import FIRST_PAGE, PageRequest, SortKey


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    id: int
    name: str
    slug: str
    description: str
    parent: int | None
    is_active: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryRef:
    """The product card's `primary_category`: its first active category in (sort_order, name) order."""

    name: str
    slug: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductCard:
    """A product in a list. Prices and stock cover its active variants only; `price_min` and
    `price_max` are `None` when no active variant has a price."""

    id: int
    title: str
    slug: str
    primary_media_url: str | None
    primary_category: CategoryRef | None
    price_min: Decimal | None
    price_max: Decimal | None
    in_stock: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Media:
    id: int
    url: str
    alt_text: str
    is_primary: bool
    sort_order: int
    variant: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    """`available` is on hand minus reserved, 0 for a variant without a stock row."""

    id: int
    product: int
    sku: str
    price: Decimal | None
    barcode: str
    status: VariantStatus
    available: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductDetail:
    id: int
    title: str
    slug: str
    description: str
    status: ProductStatus
    seo_title: str
    seo_description: str
    categories: tuple[Category, ...]
    media: tuple[Media, ...]
    variants: tuple[Variant, ...]

    @property
    def price_min(self) -> Decimal | None:
        return min((v.price for v in self.variants if v.price is not None), default=None)

    @property
    def price_max(self) -> Decimal | None:
        return max((v.price for v in self.variants if v.price is not None), default=None)

    @property
    def in_stock(self) -> bool:
        return any(variant.available > 0 for variant in self.variants)

    @property
    def primary_media_url(self) -> str | None:
        """The product-level primary image, else the first primary image of a variant (`media` holds
        only visible media, in (sort_order, id) order)."""
        primaries = [media for media in self.media if media.is_primary]
        own = next((media for media in primaries if media.variant is None), None)
        chosen = own or next(iter(primaries), None)
        return None if chosen is None else chosen.url


@dataclass(frozen=True, slots=True, kw_only=True)
class Collection:
    id: int
    name: str
    slug: str
    description: str
    is_active: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute:
    id: int
    name: str
    code: str
    input_type: InputType
    is_filterable: bool
    allowed_values: tuple[str, ...] | None
    sort_order: int


# Ordering whitelists (contract §5); `id` is always the last tiebreaker.
CATEGORY_ORDERING_FIELDS: Final = frozenset({"name", "slug", "sort_order", "id"})
DEFAULT_CATEGORY_ORDERING: Final = (SortKey("sort_order"), SortKey("name"))
PRODUCT_ORDERING_FIELDS: Final = frozenset({"title", "created_at", "price_min"})
DEFAULT_PRODUCT_ORDERING: Final = (SortKey("title"),)
COLLECTION_ORDERING_FIELDS: Final = frozenset({"name", "slug", "sort_order", "id"})
DEFAULT_COLLECTION_ORDERING: Final = (SortKey("sort_order"), SortKey("name"))
VARIANT_ORDERING_FIELDS: Final = frozenset({"sku", "id", "price"})
DEFAULT_VARIANT_ORDERING: Final = (SortKey("sku"),)
ATTRIBUTE_ORDERING_FIELDS: Final = frozenset({"name", "sort_order", "id"})
DEFAULT_ATTRIBUTE_ORDERING: Final = (SortKey("sort_order"), SortKey("name"))


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryQuery:
    ordering: tuple[SortKey, ...] = DEFAULT_CATEGORY_ORDERING
    page: PageRequest = FIRST_PAGE


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductQuery:
    """`category`: the slug of an active category the product is linked to. `search`: terms that
    must each occur, case-insensitively, in the title, the description or an active category's name."""

    category: str | None = None
    search: tuple[str, ...] = ()
    ordering: tuple[SortKey, ...] = DEFAULT_PRODUCT_ORDERING
    page: PageRequest = FIRST_PAGE


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectionQuery:
    ordering: tuple[SortKey, ...] = DEFAULT_COLLECTION_ORDERING
    page: PageRequest = FIRST_PAGE


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantQuery:
    """`product`: the product's slug. `search`: terms that must each occur in the sku or barcode."""

    product: str | None = None
    status: VariantStatus | None = None
    search: tuple[str, ...] = ()
    ordering: tuple[SortKey, ...] = DEFAULT_VARIANT_ORDERING
    page: PageRequest = FIRST_PAGE


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributeQuery:
    """`search`: terms that must each occur in the name or code."""

    is_filterable: bool | None = None
    search: tuple[str, ...] = ()
    ordering: tuple[SortKey, ...] = DEFAULT_ATTRIBUTE_ORDERING
    page: PageRequest = FIRST_PAGE
