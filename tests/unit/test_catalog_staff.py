"""The staff catalog's use cases and rules (reference §1.6, contract §5) against the fake store."""

import dataclasses
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from avthrift.domain.catalog.errors import (
    CodeTakenError,
    PairTakenError,
    ProtectedError,
    RecordNotFoundError,
    SkuTakenError,
    SlugTakenError,
    UnknownReferenceError,
)
from avthrift.domain.catalog.model import (
    AttributeFields,
    AttributeValueFields,
    CategoryFields,
    CollectionFields,
    CollectionProductFields,
    InputType,
    MediaFields,
    ProductFields,
    Record,
    VariantFields,
)
from avthrift.domain.catalog.staff import (
    ATTRIBUTE_VALUES,
    ATTRIBUTES,
    CATEGORIES,
    COLLECTION_PRODUCTS,
    COLLECTIONS,
    MEDIA,
    PRODUCTS,
    VARIANTS,
    Resource,
    clean_price,
)
from avthrift.domain.catalog.use_cases.staff import (
    CreateRecord,
    DeleteRecord,
    GetRecord,
    ListRecords,
    UpdateRecord,
)
from avthrift.domain.shared.errors import ConflictError, DomainError, InvalidInputError
from avthrift.domain.shared.pagination import PageRequest
from avthrift.entrypoints.http.catalog.staff_controllers import ROUTES
from tests.fakes import FakeCatalogRecords, FakeUnitOfWork


class Staff:
    """The five use cases over one fake store."""

    def __init__(self, records: FakeCatalogRecords | None = None) -> None:
        self.uow = FakeUnitOfWork()
        self.records = records or FakeCatalogRecords()
        self.list = ListRecords(self.uow, self.records)
        self.get = GetRecord(self.uow, self.records)
        self.create = CreateRecord(self.uow, self.records)
        self.update = UpdateRecord(self.uow, self.records)
        self.delete = DeleteRecord(self.uow, self.records)


@pytest.fixture
def staff() -> Staff:
    return Staff()


def params(error: DomainError) -> dict[str, str]:
    return {param["name"]: param["reason"] for param in error.extra["invalid_params"]}


async def refused[E: DomainError](staff: Staff, error: type[E], write: Any) -> E:
    """`write` raises `error` and commits nothing."""
    commits = staff.uow.commits
    with pytest.raises(error) as raised:
        await write
    assert staff.uow.commits == commits
    return raised.value


async def shirt_with_variant(staff: Staff) -> tuple[Record[ProductFields], Record[VariantFields]]:
    shirt = await staff.create(PRODUCTS, ProductFields(title="Shirt", slug="shirt"))
    small = await staff.create(VARIANTS, VariantFields(product=shirt.id, sku="S"))
    return shirt, small


# --- the HTTP bodies and the domain agree -------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.path)
def test_each_create_body_has_the_fields_and_defaults_of_its_domain_record(route: Any) -> None:
    body = {field.name: field for field in msgspec.structs.fields(route.body)}
    record = {field.name: field for field in dataclasses.fields(route.resource.kind)}
    assert list(body) == list(record)
    for name, field in record.items():
        assert body[name].required == (field.default is dataclasses.MISSING), name
        if not body[name].required:
            assert body[name].default == field.default, name


def test_every_resource_is_routed_once() -> None:
    resources = [
        CATEGORIES,
        PRODUCTS,
        VARIANTS,
        MEDIA,
        COLLECTIONS,
        COLLECTION_PRODUCTS,
        ATTRIBUTES,
        ATTRIBUTE_VALUES,
    ]
    assert [route.resource for route in ROUTES] == resources
    assert len({route.path for route in ROUTES}) == 8


# --- field rules --------------------------------------------------------------------------------


async def test_text_is_trimmed_and_checked_field_by_field(staff: Staff) -> None:
    created = await staff.create(
        CATEGORIES, CategoryFields(name="  Tops ", slug=" tops\n", description=" x ")
    )
    assert created.fields == CategoryFields(name="Tops", slug="tops", description="x")
    assert staff.uow.commits == 1
    cases = {
        "name": (CategoryFields(name="  ", slug="a"), "This field may not be blank."),
        "slug": (CategoryFields(name="A", slug="no spaces"), SLUG_MESSAGE),
        "description": (
            CategoryFields(name="A", slug="a", description="a\x00b"),
            "Null characters are not allowed.",
        ),
        "sort_order": (
            CategoryFields(name="A", slug="a", sort_order=2**31),
            "Ensure this value is less than or equal to 2147483647.",
        ),
    }
    for field, (fields, reason) in cases.items():
        error = await refused(staff, InvalidInputError, staff.create(CATEGORIES, fields))
        assert params(error) == {field: reason}
    long_name = CategoryFields(name="n" * 121, slug="a")
    error = await refused(staff, InvalidInputError, staff.create(CATEGORIES, long_name))
    assert params(error) == {"name": "Ensure this field has no more than 120 characters."}
    bad_url = MediaFields(product=1, url="ftp://example.com/a.jpg")
    assert params(await refused(staff, InvalidInputError, staff.create(MEDIA, bad_url))) == {
        "url": "Enter a valid URL."
    }


SLUG_MESSAGE = 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'


@pytest.mark.parametrize(
    ("price", "stored"),
    [
        ("10.5", "10.50"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("9999999999.99", "9999999999.99"),
        ("1E+2", "100.00"),
    ],
)
def test_prices_are_stored_with_two_places(price: str, stored: str) -> None:
    assert str(clean_price(Decimal(price))) == stored


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("-0.01", "Ensure this value is greater than or equal to 0."),
        ("1234567890.123", "Ensure that there are no more than 12 digits in total."),
        ("1.001", "Ensure that there are no more than 2 decimal places."),
        ("0.000", "Ensure that there are no more than 2 decimal places."),
        ("12345678901", "Ensure that there are no more than 10 digits before the decimal point."),
        ("1E+400", "Ensure that there are no more than 12 digits in total."),
        ("NaN", "A valid number is required."),
        ("Infinity", "A valid number is required."),
    ],
)
async def test_bad_prices_are_refused_naming_the_field(staff: Staff, price: str, reason: str) -> None:
    shirt = await staff.create(PRODUCTS, ProductFields(title="Shirt", slug="shirt"))
    fields = VariantFields(product=shirt.id, sku="S", price=Decimal(price))
    assert params(await refused(staff, InvalidInputError, staff.create(VARIANTS, fields))) == {
        "price": reason
    }


# --- references and cross-record rules ----------------------------------------------------------


async def test_unknown_references_name_the_field(staff: Staff) -> None:
    shirt, _ = await shirt_with_variant(staff)
    cases: list[tuple[Resource[Any], Any, str, int]] = [
        (CATEGORIES, CategoryFields(name="A", slug="a", parent=99), "parent", 99),
        (PRODUCTS, ProductFields(title="A", slug="a", categories=(2**63,)), "categories", 2**63),
        (VARIANTS, VariantFields(product=42, sku="X"), "product", 42),
        (MEDIA, MediaFields(product=shirt.id, variant=7, url="https://a.example/b"), "variant", 7),
        (COLLECTION_PRODUCTS, CollectionProductFields(collection=5, product=shirt.id), "collection", 5),
        (ATTRIBUTE_VALUES, AttributeValueFields(attribute=3, product=shirt.id, value="x"), "attribute", 3),
    ]
    for resource, fields, field, missing in cases:
        error = await refused(staff, UnknownReferenceError, staff.create(resource, fields))
        assert params(error) == {field: f'Invalid pk "{missing}" - object does not exist.'}


async def test_a_category_can_be_neither_its_own_parent_nor_its_own_descendant(staff: Staff) -> None:
    root = await staff.create(CATEGORIES, CategoryFields(name="Root", slug="root"))
    middle = await staff.create(CATEGORIES, CategoryFields(name="Middle", slug="middle", parent=root.id))
    leaf = await staff.create(CATEGORIES, CategoryFields(name="Leaf", slug="leaf", parent=middle.id))
    error = await refused(staff, InvalidInputError, staff.update(CATEGORIES, root.id, {"parent": root.id}))
    assert params(error) == {"parent": "A category cannot be its own parent."}
    error = await refused(staff, InvalidInputError, staff.update(CATEGORIES, root.id, {"parent": leaf.id}))
    assert params(error) == {"parent": "A category cannot be placed under one of its own descendants."}
    moved = await staff.update(CATEGORIES, leaf.id, {"parent": root.id})
    assert moved.fields.parent == root.id
    assert (await staff.get(CATEGORIES, root.id)).fields.parent is None


async def test_media_must_show_a_variant_of_its_own_product(staff: Staff) -> None:
    _, small = await shirt_with_variant(staff)
    dress = await staff.create(PRODUCTS, ProductFields(title="Dress", slug="dress"))
    fields = MediaFields(product=dress.id, variant=small.id, url="https://a.example/b.jpg")
    error = await refused(staff, InvalidInputError, staff.create(MEDIA, fields))
    assert params(error) == {"variant": "This variant belongs to another product."}


async def test_a_new_primary_image_demotes_the_previous_one_in_its_scope(staff: Staff) -> None:
    shirt, small = await shirt_with_variant(staff)
    url = "https://a.example/b.jpg"
    first = await staff.create(MEDIA, MediaFields(product=shirt.id, url=url, is_primary=True))
    of_variant = await staff.create(
        MEDIA, MediaFields(product=shirt.id, variant=small.id, url=url, is_primary=True)
    )
    second = await staff.create(MEDIA, MediaFields(product=shirt.id, url=url, is_primary=True))
    primaries = {record.id for record in (await staff.list(MEDIA)).items if record.fields.is_primary}
    assert primaries == {of_variant.id, second.id}
    await staff.update(MEDIA, first.id, {"is_primary": True})
    primaries = {record.id for record in (await staff.list(MEDIA)).items if record.fields.is_primary}
    assert primaries == {of_variant.id, first.id}
    again = await staff.update(MEDIA, first.id, {"alt_text": "Front"})
    assert again.fields.is_primary


async def test_attributes_and_their_values(staff: Staff) -> None:
    shirt, small = await shirt_with_variant(staff)
    error = await refused(
        staff,
        InvalidInputError,
        staff.create(ATTRIBUTES, AttributeFields(name="Size", code="size", input_type=InputType.SELECT)),
    )
    assert params(error) == {"allowed_values": "A select attribute needs at least one allowed value."}
    error = await refused(
        staff,
        InvalidInputError,
        staff.create(ATTRIBUTES, AttributeFields(name="Size", code="size", allowed_values=(" ",))),
    )
    assert params(error) == {"allowed_values": "This field may not be blank."}
    size = await staff.create(
        ATTRIBUTES,
        AttributeFields(name="Size", code="size", input_type=InputType.SELECT, allowed_values=(" S ", "M")),
    )
    assert size.fields.allowed_values == ("S", "M")
    weight = await staff.create(
        ATTRIBUTES, AttributeFields(name="Weight", code="weight", input_type=InputType.NUMBER)
    )
    washable = await staff.create(
        ATTRIBUTES, AttributeFields(name="Washable", code="washable", input_type=InputType.BOOLEAN)
    )
    notes = await staff.create(ATTRIBUTES, AttributeFields(name="Notes", code="notes"))

    refusals = [
        (size.id, "L", '"L" is not a valid choice.'),
        (weight.id, "heavy", "A valid number is required."),
        (weight.id, "NaN", "A valid number is required."),
        (washable.id, "yes", 'Must be "true" or "false".'),
        (notes.id, " ", "This field may not be blank."),
    ]
    for attribute, value, reason in refusals:
        fields = AttributeValueFields(attribute=attribute, product=shirt.id, value=value)
        assert params(await refused(staff, InvalidInputError, staff.create(ATTRIBUTE_VALUES, fields))) == {
            "value": reason
        }
    for attribute, value in (
        (size.id, "M"),
        (weight.id, "1.5e2"),
        (washable.id, "false"),
        (notes.id, "Soft"),
    ):
        await staff.create(
            ATTRIBUTE_VALUES, AttributeValueFields(attribute=attribute, product=shirt.id, value=value)
        )

    for owners in ({}, {"product": shirt.id, "variant": small.id}):
        fields = AttributeValueFields(attribute=notes.id, value="x", **owners)
        error = await refused(staff, InvalidInputError, staff.create(ATTRIBUTE_VALUES, fields))
        assert params(error) == {
            "product": "Set exactly one of product or variant.",
            "variant": "Set exactly one of product or variant.",
        }
    pair = await refused(
        staff,
        PairTakenError,
        staff.create(ATTRIBUTE_VALUES, AttributeValueFields(attribute=notes.id, product=shirt.id, value="y")),
    )
    assert (pair.code, pair.detail) == (
        "pair_taken",
        "The fields attribute, product must make a unique set.",
    )
    on_variant = await staff.create(
        ATTRIBUTE_VALUES, AttributeValueFields(attribute=notes.id, variant=small.id, value="y")
    )
    moved = await refused(
        staff,
        PairTakenError,
        staff.update(ATTRIBUTE_VALUES, on_variant.id, {"value": "z", "variant": None, "product": shirt.id}),
    )
    assert params(moved) == {
        "attribute": "The fields attribute, product must make a unique set.",
        "product": "The fields attribute, product must make a unique set.",
    }


# --- uniqueness ---------------------------------------------------------------------------------


async def test_taken_unique_values_are_conflicts_with_the_references_message(staff: Staff) -> None:
    shirt, _ = await shirt_with_variant(staff)
    await staff.create(CATEGORIES, CategoryFields(name="Tops", slug="tops"))
    summer = await staff.create(COLLECTIONS, CollectionFields(name="Summer", slug="summer"))
    await staff.create(COLLECTION_PRODUCTS, CollectionProductFields(collection=summer.id, product=shirt.id))
    await staff.create(ATTRIBUTES, AttributeFields(name="Size", code="size"))
    cases: list[tuple[Resource[Any], Any, type[ConflictError], str, str]] = [
        (
            CATEGORIES,
            CategoryFields(name="T", slug="tops"),
            SlugTakenError,
            "slug",
            "category with this slug already exists.",
        ),
        (
            PRODUCTS,
            ProductFields(title="S", slug="shirt"),
            SlugTakenError,
            "slug",
            "product with this slug already exists.",
        ),
        (
            VARIANTS,
            VariantFields(product=shirt.id, sku=" S "),
            SkuTakenError,
            "sku",
            "product variant with this sku already exists.",
        ),
        (
            COLLECTIONS,
            CollectionFields(name="S", slug="summer"),
            SlugTakenError,
            "slug",
            "collection with this slug already exists.",
        ),
        (
            ATTRIBUTES,
            AttributeFields(name="S", code="size"),
            CodeTakenError,
            "code",
            "attribute with this code already exists.",
        ),
        (
            COLLECTION_PRODUCTS,
            CollectionProductFields(collection=summer.id, product=shirt.id),
            PairTakenError,
            "product",
            "The fields collection, product must make a unique set.",
        ),
    ]
    for resource, fields, error_type, field, message in cases:
        error = await refused(staff, error_type, staff.create(resource, fields))
        assert error.detail == message
        assert params(error)[field] == message


async def test_a_record_keeps_its_own_unique_values_on_update(staff: Staff) -> None:
    tops = await staff.create(CATEGORIES, CategoryFields(name="Tops", slug="tops"))
    renamed = await staff.update(CATEGORIES, tops.id, {"name": "Upper"})
    assert renamed.fields == CategoryFields(name="Upper", slug="tops")


class RacingRecords(FakeCatalogRecords):
    """Another writer got in between the checks and the write: the checks see no taken value and
    no primary image to demote, the write then meets the constraint."""

    async def taken(self, kind: type[object], values: Any, except_id: int | None) -> bool:
        return False

    async def demote_primary_media(self, product: int, variant: int | None, except_id: int | None) -> None:
        return None


async def test_a_lost_race_on_a_unique_value_reads_like_the_check() -> None:
    staff = Staff(RacingRecords())
    shirt = await staff.create(PRODUCTS, ProductFields(title="Shirt", slug="shirt"))
    taken = await refused(
        staff, SlugTakenError, staff.create(PRODUCTS, ProductFields(title="Other", slug="shirt"))
    )
    assert params(taken) == {"slug": "product with this slug already exists."}
    # Without a unique rule that applies, the store's conflict goes through as it is.
    primary = MediaFields(product=shirt.id, url="https://a.example/b", is_primary=True)
    await staff.create(MEDIA, primary)
    conflict = await refused(staff, ConflictError, staff.create(MEDIA, primary))
    assert type(conflict) is ConflictError


# --- reading, updating, deleting ----------------------------------------------------------------


async def test_lists_use_the_whitelist_and_the_default_order(staff: Staff) -> None:
    b = await staff.create(CATEGORIES, CategoryFields(name="B", slug="b", sort_order=1))
    a = await staff.create(CATEGORIES, CategoryFields(name="A", slug="a", sort_order=1))
    z = await staff.create(CATEGORIES, CategoryFields(name="Z", slug="z", sort_order=0))

    async def order(ordering: str | None) -> list[int]:
        return [record.id for record in (await staff.list(CATEGORIES, ordering=ordering)).items]

    assert await order(None) == [z.id, a.id, b.id]
    assert await order("-name") == [z.id, b.id, a.id]
    assert await order("unknown,-created_at") == [z.id, a.id, b.id]
    assert await order("sort_order,-id") == [z.id, a.id, b.id]
    page = await staff.list(CATEGORIES, page=PageRequest(number=2, size=2))
    assert [record.id for record in page.items] == [b.id]
    assert ATTRIBUTES.ordering_fields == ("id", "name", "code", "input_type", "is_filterable", "sort_order")
    assert "categories" not in PRODUCTS.ordering_fields


async def test_missing_records_are_not_found_with_the_models_name(staff: Staff) -> None:
    resources: tuple[Resource[Any], ...] = (CATEGORIES, VARIANTS, ATTRIBUTE_VALUES)
    for resource in resources:
        error = await refused(staff, RecordNotFoundError, staff.get(resource, 1))
        assert error.detail == f"No {resource.model} matches the given query."
        await refused(staff, RecordNotFoundError, staff.update(resource, 1, {}))
        await refused(staff, RecordNotFoundError, staff.delete(resource, 1))
    assert VARIANTS.model == "ProductVariant"
    assert ATTRIBUTE_VALUES.model == "ProductAttributeValue"


async def test_an_update_merges_the_changes_and_checks_the_result(staff: Staff) -> None:
    shirt, small = await shirt_with_variant(staff)
    updated = await staff.update(VARIANTS, small.id, {"price": Decimal("3.5")})
    assert updated.fields == VariantFields(product=shirt.id, sku="S", price=Decimal("3.50"))
    assert await staff.get(VARIANTS, small.id) == updated
    error = await refused(staff, InvalidInputError, staff.update(VARIANTS, small.id, {"sku": ""}))
    assert params(error) == {"sku": "This field may not be blank."}


async def test_deleting_what_orders_reference_is_protected(staff: Staff) -> None:
    shirt, small = await shirt_with_variant(staff)
    staff.records.ordered_variants.add(small.id)
    error = await refused(staff, ProtectedError, staff.delete(VARIANTS, small.id))
    assert (error.code, error.detail) == (
        "protected",
        "This product variant cannot be deleted: it is referenced by orders.",
    )
    error = await refused(staff, ProtectedError, staff.delete(PRODUCTS, shirt.id))
    assert error.detail == "This product cannot be deleted: it is referenced by orders."
    assert await staff.get(VARIANTS, small.id) == small
    staff.records.ordered_variants.clear()
    await staff.delete(PRODUCTS, shirt.id)
    assert staff.uow.commits == 3
    await refused(staff, RecordNotFoundError, staff.get(VARIANTS, small.id))
