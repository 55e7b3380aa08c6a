"""The staff side's eight resources (reference §1.6, contract §5): what each is called, how its
lists are ordered, and the rules a write must pass before it reaches the store.

A `Resource` describes one kind of `Record` (its `*Fields` type from `model.py`). The use cases
run the same steps for every resource: `clean` (field by field, no I/O), `validate` (references,
cross-record rules, uniqueness), `before_write` (changes the write needs first, such as demoting
the previous primary image), then the write. (One module on purpose: each descriptor reads best
beside the rules it names.)
"""

import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, cast

from avthrift.domain.catalog.errors import (
    CodeTakenError,
    PairTakenError,
    SkuTakenError,
    SlugTakenError,
    TakenError,
    UnknownReferenceError,
)
from avthrift.domain.catalog.model import (
    PRICE_MAX_DIGITS,
    PRICE_PLACES,
    SLUG_MESSAGE,
    SLUG_PATTERN,
    URL_PATTERN,
    AttributeFields,
    AttributeValueFields,
    CategoryFields,
    CollectionFields,
    CollectionProductFields,
    InputType,
    MediaFields,
    ProductFields,
    VariantFields,
)
from avthrift.domain.catalog.ports import CatalogRecords
from avthrift.domain.shared.errors import InvalidInputError, field_error
from avthrift.domain.shared.money import CENT
from avthrift.domain.shared.pagination import SortKey

BLANK_MESSAGE: Final = "This field may not be blank."
NUL_MESSAGE: Final = "Null characters are not allowed."
INT_MIN: Final = -(2**31)  # sort_order is a 32-bit column
INT_MAX: Final = 2**31 - 1
ALLOWED_VALUE_MAX_LENGTH: Final = 120
_UNORDERABLE: Final = frozenset({"categories", "allowed_values"})

type Rule[F] = Callable[[CatalogRecords, F, int | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Text:
    """A text field's limits. Values are trimmed first; NUL characters are never stored."""

    max_length: int | None = None
    required: bool = False
    pattern: str | None = None
    message: str = ""

    def reason(self, value: str) -> str | None:
        """Why the trimmed `value` is invalid, or `None`."""
        if not value:
            return BLANK_MESSAGE if self.required else None
        if "\x00" in value:
            return NUL_MESSAGE
        if self.max_length is not None and len(value) > self.max_length:
            return f"Ensure this field has no more than {self.max_length} characters."
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return self.message
        return None


@dataclass(frozen=True, slots=True)
class Unique:
    """Fields whose values no two records share (checked when none of them is null)."""

    fields: tuple[str, ...]
    error: type[TakenError]
    message: str

    def applies(self, values: Mapping[str, object]) -> bool:
        return all(values[name] is not None for name in self.fields)

    def taken(self) -> TakenError:
        return self.error(self.message, self.fields)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource[F]:
    """One staff resource. `model` names it in "No <model> matches the given query."."""

    kind: type[F]
    model: str
    verbose_name: str
    default_ordering: tuple[SortKey, ...]
    text: Mapping[str, Text] = field(default_factory=dict)
    references: Mapping[str, type[object]] = field(default_factory=dict)
    unique: tuple[Unique, ...] = ()
    normalize: Callable[[F], F] | None = None
    check: Rule[F] | None = None
    before_write: Rule[F] | None = None

    @property
    def ordering_fields(self) -> tuple[str, ...]:
        """`id` and every field but the lists."""
        names = (item.name for item in dataclasses.fields(cast(Any, self.kind)))
        return ("id", *(name for name in names if name not in _UNORDERABLE))

    def clean(self, fields: F) -> F:
        """Trim text and check every field on its own; raises `InvalidInputError`."""
        values = _values(fields)
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if type(value) is str:  # not the StrEnum choices
                changes[name] = value.strip()
                reason = self.text.get(name, Text()).reason(changes[name])
                if reason is not None:
                    raise field_error(name, reason)
            elif type(value) is int and name not in self.references:
                _check_int(name, value)
        cleaned: F = dataclasses.replace(cast(Any, fields), **changes)
        return cleaned if self.normalize is None else self.normalize(cleaned)

    async def validate(self, records: CatalogRecords, fields: F, record_id: int | None) -> None:
        """Check references, this resource's rules and uniqueness against the store (`record_id`
        is the record being replaced, `None` on create)."""
        values = _values(fields)
        for name, kind in self.references.items():
            value = values[name]
            ids = value if isinstance(value, tuple) else () if value is None else (value,)
            found = await records.existing(kind, ids)
            missing = next((item for item in ids if item not in found), None)
            if missing is not None:
                raise UnknownReferenceError(name, missing)
        if self.check is not None:
            await self.check(records, fields, record_id)
        for unique in self.unique:
            if unique.applies(values) and await records.taken(
                self.kind, {name: values[name] for name in unique.fields}, record_id
            ):
                raise unique.taken()

    def race_error(self, fields: F) -> TakenError | None:
        """The uniqueness error a store conflict stands for when two writers raced past `validate`."""
        values = _values(fields)
        return next((unique.taken() for unique in self.unique if unique.applies(values)), None)


def _values(fields: object) -> dict[str, Any]:
    return {item.name: getattr(fields, item.name) for item in dataclasses.fields(cast(Any, fields))}


def _check_int(name: str, value: int) -> None:
    if value > INT_MAX:
        raise field_error(name, f"Ensure this value is less than or equal to {INT_MAX}.")
    if value < INT_MIN:
        raise field_error(name, f"Ensure this value is greater than or equal to {INT_MIN}.")


# --- rules of single resources -----------------------------------------------------------------


def clean_price(price: Decimal | None) -> Decimal | None:
    """A price as DRF's `DecimalField(max_digits=12, decimal_places=2)` takes it, and never below 0."""
    if price is None:
        return None
    if not price.is_finite():
        raise field_error("price", "A valid number is required.")
    if price < 0:
        raise field_error("price", "Ensure this value is greater than or equal to 0.")
    digits, exponent = price.as_tuple().digits, cast(int, price.as_tuple().exponent)  # finite: an int
    places = max(0, -exponent)
    total = max(len(digits) + max(exponent, 0), places)
    whole = PRICE_MAX_DIGITS - PRICE_PLACES
    if total > PRICE_MAX_DIGITS:
        reason = f"Ensure that there are no more than {PRICE_MAX_DIGITS} digits in total."
    elif places > PRICE_PLACES:
        reason = f"Ensure that there are no more than {PRICE_PLACES} decimal places."
    elif total - places > whole:
        reason = f"Ensure that there are no more than {whole} digits before the decimal point."
    else:
        return price.quantize(CENT).copy_abs()  # copy_abs: "-0" is stored as 0
    raise field_error("price", reason)


def _variant(fields: VariantFields) -> VariantFields:
    return dataclasses.replace(fields, price=clean_price(fields.price))


def _product(fields: ProductFields) -> ProductFields:
    return dataclasses.replace(fields, categories=tuple(sorted(set(fields.categories))))


def _attribute(fields: AttributeFields) -> AttributeFields:
    values = fields.allowed_values
    allowed = None if values is None else tuple(value.strip() for value in values)
    rule = Text(ALLOWED_VALUE_MAX_LENGTH, required=True)
    for value in allowed or ():
        reason = rule.reason(value)
        if reason is not None:
            raise field_error("allowed_values", reason)
    if fields.input_type is InputType.SELECT and not allowed:
        raise field_error("allowed_values", "A select attribute needs at least one allowed value.")
    return dataclasses.replace(fields, allowed_values=allowed)


def _attribute_value(fields: AttributeValueFields) -> AttributeValueFields:
    if (fields.product is None) == (fields.variant is None):
        reason = "Set exactly one of product or variant."
        raise InvalidInputError(
            reason, invalid_params=[{"name": name, "reason": reason} for name in ("product", "variant")]
        )
    return fields


async def _category_parent(records: CatalogRecords, fields: CategoryFields, record_id: int | None) -> None:
    if fields.parent is None or record_id is None:
        return
    if fields.parent == record_id:
        raise field_error("parent", "A category cannot be its own parent.")
    if record_id in await records.lineage(fields.parent):
        raise field_error("parent", "A category cannot be placed under one of its own descendants.")


async def _media_variant(records: CatalogRecords, fields: MediaFields, _: int | None) -> None:
    if fields.variant is None:
        return
    variant = await records.get(VariantFields, fields.variant)
    if variant is not None and variant.fields.product != fields.product:
        raise field_error("variant", "This variant belongs to another product.")


async def _demote_primary(records: CatalogRecords, fields: MediaFields, record_id: int | None) -> None:
    """One primary image per product (product-level) and per variant: the new one wins."""
    if fields.is_primary:
        await records.demote_primary_media(fields.product, fields.variant, record_id)


async def _value_suits_attribute(
    records: CatalogRecords, fields: AttributeValueFields, _: int | None
) -> None:
    attribute = await records.get(AttributeFields, fields.attribute)
    if attribute is None:
        return
    input_type, value = attribute.fields.input_type, fields.value
    if input_type is InputType.NUMBER and not _is_number(value):
        raise field_error("value", "A valid number is required.")
    if input_type is InputType.BOOLEAN and value not in ("true", "false"):
        raise field_error("value", 'Must be "true" or "false".')
    if input_type is InputType.SELECT and value not in (attribute.fields.allowed_values or ()):
        raise field_error("value", f'"{value}" is not a valid choice.')


def _is_number(value: str) -> bool:
    try:
        return Decimal(value).is_finite()
    except ArithmeticError:
        return False


# --- the resources -----------------------------------------------------------------------------


def _slug(max_length: int) -> Text:
    return Text(max_length, required=True, pattern=SLUG_PATTERN, message=SLUG_MESSAGE)


def _slug_taken(verbose_name: str) -> Unique:
    return Unique(("slug",), SlugTakenError, f"{verbose_name} with this slug already exists.")


def _order(*names: str) -> tuple[SortKey, ...]:
    return tuple(SortKey(name) for name in names)


CATEGORIES: Final = Resource(
    kind=CategoryFields,
    model="Category",
    verbose_name="category",
    default_ordering=_order("sort_order", "name"),
    text={"name": Text(120, required=True), "slug": _slug(140)},
    references={"parent": CategoryFields},
    unique=(_slug_taken("category"),),
    check=_category_parent,
)
PRODUCTS: Final = Resource(
    kind=ProductFields,
    model="Product",
    verbose_name="product",
    default_ordering=_order("title"),
    text={"title": Text(200, required=True), "slug": _slug(220), "seo_title": Text(200)},
    references={"categories": CategoryFields},
    unique=(_slug_taken("product"),),
    normalize=_product,
)
VARIANTS: Final = Resource(
    kind=VariantFields,
    model="ProductVariant",
    verbose_name="product variant",
    default_ordering=_order("sku"),
    text={"sku": Text(64, required=True), "barcode": Text(64)},
    references={"product": ProductFields},
    unique=(Unique(("sku",), SkuTakenError, "product variant with this sku already exists."),),
    normalize=_variant,
)
MEDIA: Final = Resource(
    kind=MediaFields,
    model="Media",
    verbose_name="media",
    default_ordering=_order("sort_order", "id"),
    text={
        "url": Text(200, required=True, pattern=URL_PATTERN, message="Enter a valid URL."),
        "alt_text": Text(200),
    },
    references={"product": ProductFields, "variant": VariantFields},
    check=_media_variant,
    before_write=_demote_primary,
)
COLLECTIONS: Final = Resource(
    kind=CollectionFields,
    model="Collection",
    verbose_name="collection",
    default_ordering=_order("sort_order", "name"),
    text={"name": Text(200, required=True), "slug": _slug(220)},
    unique=(_slug_taken("collection"),),
)
COLLECTION_PRODUCTS: Final = Resource(
    kind=CollectionProductFields,
    model="CollectionProduct",
    verbose_name="collection product",
    default_ordering=_order("sort_order", "id"),
    references={"collection": CollectionFields, "product": ProductFields},
    unique=(
        Unique(
            ("collection", "product"),
            PairTakenError,
            "The fields collection, product must make a unique set.",
        ),
    ),
)
ATTRIBUTES: Final = Resource(
    kind=AttributeFields,
    model="Attribute",
    verbose_name="attribute",
    default_ordering=_order("sort_order", "name"),
    text={
        "name": Text(120, required=True),
        "code": Text(64, required=True, pattern=SLUG_PATTERN, message=SLUG_MESSAGE),
    },
    unique=(Unique(("code",), CodeTakenError, "attribute with this code already exists."),),
    normalize=_attribute,
)
ATTRIBUTE_VALUES: Final = Resource(
    kind=AttributeValueFields,
    model="ProductAttributeValue",
    verbose_name="product attribute value",
    default_ordering=_order("id"),
    text={"value": Text(required=True)},
    references={"attribute": AttributeFields, "product": ProductFields, "variant": VariantFields},
    unique=tuple(
        Unique(("attribute", owner), PairTakenError, f"The fields attribute, {owner} must make a unique set.")
        for owner in ("product", "variant")
    ),
    normalize=_attribute_value,
    check=_value_suits_attribute,
)
