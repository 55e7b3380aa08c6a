"""Wire types of `/api/v1/admin/catalog/` (reference §1.6, contract §5).

Each resource has one hand-written create body whose fields are the domain's `*Fields` (same
names, types and defaults); the PUT body (required fields required, the rest optional), the PATCH
body (everything optional) and the response (`id` and every field) are derived from it.

Formats are published as `pattern`s on the raw value (surrounding whitespace is trimmed) but
checked by the domain, so that a client reads the reference's messages; the two must agree (the
schemathesis run holds them to it).
"""

from decimal import Decimal
from typing import Annotated, Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from avthrift.domain.catalog.model import (
    MAX_PRICE,
    InputType,
    ProductStatus,
    VariantStatus,
)
from avthrift.domain.catalog.staff import ALLOWED_VALUE_MAX_LENGTH, INT_MAX, INT_MIN
from avthrift.entrypoints.http.patterns import NO_NUL, NOT_BLANK, WHITESPACE

_SLUG: Final = rf"^[{WHITESPACE}]*[-a-zA-Z0-9_]+[{WHITESPACE}]*$"
_URL: Final = rf"^[{WHITESPACE}]*https?://[^{WHITESPACE}/$.?#\x00][^{WHITESPACE}\x00]*[{WHITESPACE}]*$"
_STRUCT: Final[dict[str, Any]] = {"kw_only": True, "frozen": True}


def _text(pattern: str, description: str, max_length: int | None = None) -> msgspec.Meta:
    return msgspec.Meta(
        max_length=max_length, description=description, extra_json_schema={"extra": {"pattern": pattern}}
    )


Name120 = Annotated[str, _text(NOT_BLANK, "Not blank.", 120)]
Name200 = Annotated[str, _text(NOT_BLANK, "Not blank.", 200)]
Slug140 = Annotated[str, _text(_SLUG, "Letters, digits, underscores and hyphens; unique.", 140)]
Slug220 = Annotated[str, _text(_SLUG, "Letters, digits, underscores and hyphens; unique.", 220)]
LongText = Annotated[str, _text(NO_NUL, "Free text; may be blank.")]
Short64 = Annotated[str, _text(NO_NUL, "May be blank.", 64)]
Short200 = Annotated[str, _text(NO_NUL, "May be blank.", 200)]
Id = Annotated[int, msgspec.Meta(ge=1, description="The id of an existing record.")]
SortOrder = Annotated[int, msgspec.Meta(ge=INT_MIN, le=INT_MAX, description="Lower sorts first.")]
# A JSON string, number or null: `minimum` and `maximum` bind numbers only (JSON Schema).
Price = Annotated[
    Decimal | None,
    msgspec.Meta(
        description="At least 0, at most 12 digits of which at most 2 decimals; a JSON string or "
        'number in, always a string with two decimals out ("10.00"); `null`: no price.',
        extra_json_schema={
            "extra": {
                "type": ["string", "number", "null"],
                "oneOf": None,
                "minimum": 0,
                "maximum": float(MAX_PRICE),
            }
        },
    ),
]
AllowedValue = Annotated[str, _text(NOT_BLANK, "Not blank.", ALLOWED_VALUE_MAX_LENGTH)]


class AdminCategoryIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    name: Name120
    slug: Slug140
    description: LongText = ""
    parent: Annotated[Id | None, msgspec.Meta(description="Not the category itself nor a descendant.")] = None
    is_active: bool = True
    sort_order: SortOrder = 0


class AdminProductIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    title: Name200
    slug: Slug220
    description: LongText = ""
    status: ProductStatus = ProductStatus.DRAFT
    seo_title: Short200 = ""
    seo_description: LongText = ""
    categories: Annotated[
        tuple[Id, ...], msgspec.Meta(max_length=100, description="Category ids (a set: sorted, no repeats).")
    ] = ()


class AdminProductVariantIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    product: Id
    sku: Annotated[str, _text(NOT_BLANK, "Not blank; unique.", 64)]
    price: Price = None
    barcode: Short64 = ""
    status: VariantStatus = VariantStatus.ACTIVE


class AdminMediaIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    product: Id
    url: Annotated[str, _text(_URL, "An http(s) URL.", 200)]
    variant: Annotated[Id | None, msgspec.Meta(description="A variant of the same product.")] = None
    alt_text: Short200 = ""
    is_primary: Annotated[
        bool,
        msgspec.Meta(description="`true` demotes the current primary image of the product (or variant)."),
    ] = False
    sort_order: SortOrder = 0


class AdminCollectionIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    name: Name200
    slug: Slug220
    description: LongText = ""
    is_active: bool = True
    sort_order: SortOrder = 0


class AdminCollectionProductIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    collection: Id
    product: Id
    sort_order: SortOrder = 0


class AdminAttributeIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    name: Name120
    code: Annotated[str, _text(_SLUG, "Letters, digits, underscores and hyphens; unique.", 64)]
    input_type: InputType = InputType.TEXT
    is_filterable: bool = False
    allowed_values: (
        Annotated[
            tuple[AllowedValue, ...],
            msgspec.Meta(max_length=200, description="The choices of a `select` attribute (required there)."),
        ]
        | None
    ) = None
    sort_order: SortOrder = 0


class AdminProductAttributeValueIn(msgspec.Struct, forbid_unknown_fields=True, **_STRUCT):
    """Exactly one of `product` and `variant`."""

    attribute: Id
    value: Annotated[
        str,
        _text(
            NOT_BLANK,
            "Must suit the attribute: a decimal number, `true`/`false`, or one of its allowed values.",
        ),
    ]
    product: Id | None = None
    variant: Id | None = None


def _fields(body: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    return msgspec.structs.fields(body)


def put_body(body: type[msgspec.Struct], name: str) -> type[msgspec.Struct]:
    """Required fields stay required; optional fields left out keep their value."""
    return msgspec.defstruct(
        name,
        [
            (item.name, item.type) if item.required else (item.name, item.type | UnsetType, UNSET)
            for item in _fields(body)
        ],
        forbid_unknown_fields=True,
        module=__name__,
        **_STRUCT,
    )


def patch_body(body: type[msgspec.Struct], name: str) -> type[msgspec.Struct]:
    """Every field optional; fields left out keep their value."""
    return msgspec.defstruct(
        name,
        [(item.name, item.type | UnsetType, UNSET) for item in _fields(body)],
        forbid_unknown_fields=True,
        module=__name__,
        **_STRUCT,
    )


def response_body(body: type[msgspec.Struct], name: str) -> type[msgspec.Struct]:
    """`id` and every field of the record."""
    return msgspec.defstruct(
        name, [("id", int), *((item.name, item.type) for item in _fields(body))], module=__name__, **_STRUCT
    )
