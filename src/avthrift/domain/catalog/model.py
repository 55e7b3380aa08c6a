"""The catalog's vocabulary (reference §2.3): statuses, field limits and the staff-side records.

Every staff resource is a `Record` of an id and its writable fields (`CategoryFields`, …). Field
names are the API's (`parent`, `product`, `variant` hold ids). Public read models live in
`catalog/read_models.py`.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

SLUG_PATTERN: Final = r"^[-a-zA-Z0-9_]+$"
SLUG_MESSAGE: Final = 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
# A product's public slug may hold anything but "/" (reference §1.5), staff-created ones are slugs.
URL_PATTERN: Final = r"^https?://[^\s/$.?#][^\s]*$"
PRICE_MAX_DIGITS: Final = 12
PRICE_PLACES: Final = 2
MAX_PRICE: Final = Decimal("9999999999.99")


class ProductStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class VariantStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class InputType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    SELECT = "select"


@dataclass(frozen=True, slots=True, kw_only=True)
class Record[F]:
    """A stored staff resource: its id and its writable fields."""

    id: int
    fields: F


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryFields:
    name: str
    slug: str
    description: str = ""
    parent: int | None = None
    is_active: bool = True
    sort_order: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductFields:
    title: str
    slug: str
    description: str = ""
    status: ProductStatus = ProductStatus.DRAFT
    seo_title: str = ""
    seo_description: str = ""
    categories: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantFields:
    product: int
    sku: str
    price: Decimal | None = None
    barcode: str = ""
    status: VariantStatus = VariantStatus.ACTIVE


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaFields:
    product: int
    url: str
    variant: int | None = None
    alt_text: str = ""
    is_primary: bool = False
    sort_order: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectionFields:
    name: str
    slug: str
    description: str = ""
    is_active: bool = True
    sort_order: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectionProductFields:
    collection: int
    product: int
    sort_order: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributeFields:
    name: str
    code: str
    input_type: InputType = InputType.TEXT
    is_filterable: bool = False
    allowed_values: tuple[str, ...] | None = None
    sort_order: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributeValueFields:
    """The value of one attribute for exactly one product or one variant."""

    attribute: int
    value: str
    product: int | None = None
    variant: int | None = None
