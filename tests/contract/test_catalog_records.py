"""One contract for the staff catalog's `CatalogRecords`, run on the fake and on SQL (both engines)."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.catalog_records import SqlAlchemyCatalogRecords
from avthrift.domain.catalog.errors import ProtectedError
from avthrift.domain.catalog.model import (
    AttributeFields,
    AttributeValueFields,
    CategoryFields,
    CollectionFields,
    CollectionProductFields,
    InputType,
    MediaFields,
    ProductFields,
    ProductStatus,
    Record,
    VariantFields,
    VariantStatus,
)
from avthrift.domain.catalog.ports import CatalogRecords
from avthrift.domain.shared.errors import ConflictError, DomainError
from avthrift.domain.shared.pagination import InvalidPageError, PageRequest, SortKey
from tests.conftest import migrated_database
from tests.fakes import FakeCatalogRecords

HUGE_IDS = [2**63, 2**64 + 5, 10**30]
# Stands for the order lines of issue 6: a restricting reference to variants.
PROBE_TABLE = (
    "CREATE TABLE IF NOT EXISTS order_lines_probe (id INTEGER PRIMARY KEY, "
    "variant_id BIGINT NOT NULL REFERENCES product_variants(id) ON DELETE RESTRICT)"
)


@dataclass
class Stores:
    records: CatalogRecords
    order_variant: Callable[[int], Awaitable[None]]
    session: AsyncSession | None = None

    async def refuses(self, write: Awaitable[object], error: type[DomainError] = ConflictError) -> None:
        """`write` raises `error`; on SQL it runs in a savepoint so the test can go on reading."""
        if self.session is None:
            with pytest.raises(error):
                await write
            return
        with pytest.raises(error):
            async with self.session.begin_nested():
                await write


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def store_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    if request.param == "fake":
        yield None
        return
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def stores(store_database: str | None) -> AsyncIterator[Stores]:
    if store_database is None:
        fake = FakeCatalogRecords()

        async def order_fake_variant(variant_id: int) -> None:
            fake.ordered_variants.add(variant_id)

        yield Stores(fake, order_fake_variant)
        return
    engine = create_engine(store_database)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:

        async def order_variant(variant_id: int) -> None:
            await session.execute(text(PROBE_TABLE))
            await session.execute(
                text("INSERT INTO order_lines_probe (id, variant_id) VALUES (:id, :variant)"),
                {"id": variant_id, "variant": variant_id},
            )

        yield Stores(SqlAlchemyCatalogRecords(session), order_variant, session)
        await session.rollback()  # the probe table goes too: DDL is transactional on both engines
    await engine.dispose()


async def category(stores: Stores, slug: str, **fields: Any) -> Record[CategoryFields]:
    return await stores.records.add(CategoryFields(name=slug.title(), slug=slug, **fields))


async def product(stores: Stores, slug: str, **fields: Any) -> Record[ProductFields]:
    return await stores.records.add(ProductFields(title=slug.title(), slug=slug, **fields))


async def variant(stores: Stores, product_id: int, sku: str, **fields: Any) -> Record[VariantFields]:
    return await stores.records.add(VariantFields(product=product_id, sku=sku, **fields))


async def media(stores: Stores, product_id: int, **fields: Any) -> Record[MediaFields]:
    return await stores.records.add(
        MediaFields(product=product_id, url="https://cdn.example.com/a.jpg", **fields)
    )


async def ids(stores: Stores, kind: type[Any], *ordering: SortKey) -> list[int]:
    page = await stores.records.page(kind, (*ordering, SortKey("id")), PageRequest(size=100))
    return [record.id for record in page.items]


async def test_every_kind_is_stored_and_read_back(stores: Stores) -> None:
    records = stores.records
    parent = await category(stores, "clothing")
    child = await category(
        stores, "shirts", description="Tops", parent=parent.id, is_active=False, sort_order=3
    )
    shirt = await product(
        stores,
        "linen-shirt",
        description="Linen",
        status=ProductStatus.PUBLISHED,
        seo_title="Shirt",
        seo_description="A shirt",
        categories=(parent.id, child.id),
    )
    small = await variant(stores, shirt.id, "LS-S", price=Decimal("9999999999.99"), barcode="123")
    free = await variant(stores, shirt.id, "LS-M", status=VariantStatus.INACTIVE)
    picture = await media(stores, shirt.id, variant=small.id, alt_text="Front", is_primary=True, sort_order=2)
    summer = await records.add(
        CollectionFields(name="Summer", slug="summer", description="Hot", sort_order=1)
    )
    link = await records.add(CollectionProductFields(collection=summer.id, product=shirt.id, sort_order=4))
    size = await records.add(
        AttributeFields(
            name="Size",
            code="size",
            input_type=InputType.SELECT,
            is_filterable=True,
            allowed_values=("S", "M"),
        )
    )
    plain = await records.add(AttributeFields(name="Notes", code="notes"))
    value = await records.add(AttributeValueFields(attribute=size.id, variant=small.id, value="S"))
    note = await records.add(AttributeValueFields(attribute=plain.id, product=shirt.id, value="Washable"))

    stored = [parent, child, shirt, small, free, picture, summer, link, size, plain, value, note]
    for record in stored:
        assert await records.get(type(record.fields), record.id) == record
    assert (await records.get(VariantFields, small.id)).fields.price == Decimal("9999999999.99")  # type: ignore[union-attr]
    assert (await records.get(VariantFields, free.id)).fields.price is None  # type: ignore[union-attr]
    assert (await records.get(AttributeFields, plain.id)).fields.allowed_values is None  # type: ignore[union-attr]
    assert await records.get(CategoryFields, child.id + 100) is None
    for huge in HUGE_IDS:
        assert await records.get(ProductFields, huge) is None


async def test_a_products_categories_are_a_set_replaced_on_update(stores: Stores) -> None:
    first, second, third = [await category(stores, slug) for slug in ("aa", "bb", "cc")]
    shirt = await product(stores, "shirt", categories=(third.id, first.id))
    bare = await product(stores, "bare")
    assert (await stores.records.get(ProductFields, shirt.id)).fields.categories == (first.id, third.id)  # type: ignore[union-attr]
    await stores.records.update(replace(shirt, fields=replace(shirt.fields, categories=(second.id,))))
    page = await stores.records.page(ProductFields, (SortKey("title"),), PageRequest())
    assert [(record.id, record.fields.categories) for record in page.items] == [
        (bare.id, ()),
        (shirt.id, (second.id,)),
    ]


async def test_updates_write_every_field_back(stores: Stores) -> None:
    shirt = await product(stores, "shirt")
    small = await variant(stores, shirt.id, "S1", price=Decimal("5.00"))
    changed = Record(
        id=small.id, fields=replace(small.fields, sku="S2", price=None, status=VariantStatus.INACTIVE)
    )
    await stores.records.update(changed)
    assert await stores.records.get(VariantFields, small.id) == changed
    size = await stores.records.add(AttributeFields(name="Size", code="size", allowed_values=("S",)))
    cleared = Record(
        id=size.id, fields=replace(size.fields, allowed_values=None, input_type=InputType.NUMBER)
    )
    await stores.records.update(cleared)
    assert await stores.records.get(AttributeFields, size.id) == cleared


async def test_pages_follow_the_ordering_with_nulls_last_ascending(stores: Stores) -> None:
    shirt = await product(stores, "shirt")
    cheap = await variant(stores, shirt.id, "b", price=Decimal("1.00"))
    unpriced = await variant(stores, shirt.id, "a")
    dear = await variant(stores, shirt.id, "c", price=Decimal("20.00"))
    assert await ids(stores, VariantFields, SortKey("sku")) == [unpriced.id, cheap.id, dear.id]
    assert await ids(stores, VariantFields, SortKey("price")) == [cheap.id, dear.id, unpriced.id]
    assert await ids(stores, VariantFields, SortKey("price", descending=True)) == [
        unpriced.id,
        dear.id,
        cheap.id,
    ]

    first = await category(stores, "zz", sort_order=0)
    second = await category(stores, "aa", sort_order=1)
    third = await category(stores, "bb", sort_order=1, parent=first.id)
    by_default = (SortKey("sort_order"), SortKey("name"))
    assert await ids(stores, CategoryFields, *by_default) == [first.id, second.id, third.id]
    assert await ids(stores, CategoryFields, SortKey("parent")) == [third.id, first.id, second.id]

    page = await stores.records.page(CategoryFields, by_default, PageRequest(number=2, size=2))
    assert ([record.id for record in page.items], page.total) == ([third.id], 3)
    with pytest.raises(InvalidPageError):
        await stores.records.page(CategoryFields, by_default, PageRequest(number=3, size=2))
    empty = await stores.records.page(CollectionFields, (SortKey("id"),), PageRequest())
    assert (empty.items, empty.total) == ((), 0)


async def test_existing_and_taken_answer_for_other_records(stores: Stores) -> None:
    shirt = await product(stores, "shirt")
    assert await stores.records.existing(ProductFields, [shirt.id, shirt.id + 1, *HUGE_IDS, 0, -1]) == {
        shirt.id
    }
    assert await stores.records.existing(ProductFields, []) == frozenset()
    assert await stores.records.taken(ProductFields, {"slug": "shirt"}, None)
    assert not await stores.records.taken(ProductFields, {"slug": "shirt"}, shirt.id)
    assert not await stores.records.taken(ProductFields, {"slug": "Shirt"}, None)
    summer = await stores.records.add(CollectionFields(name="Summer", slug="summer"))
    await stores.records.add(CollectionProductFields(collection=summer.id, product=shirt.id))
    assert await stores.records.taken(
        CollectionProductFields, {"collection": summer.id, "product": shirt.id}, None
    )
    assert not await stores.records.taken(
        CollectionProductFields, {"collection": summer.id, "product": 999}, None
    )


async def test_unique_values_are_refused(stores: Stores) -> None:
    records = stores.records
    shirt = await product(stores, "shirt")
    small = await variant(stores, shirt.id, "S")
    await category(stores, "tops")
    summer = await records.add(CollectionFields(name="Summer", slug="summer"))
    await records.add(CollectionProductFields(collection=summer.id, product=shirt.id))
    size = await records.add(AttributeFields(name="Size", code="size"))
    await records.add(AttributeValueFields(attribute=size.id, product=shirt.id, value="a"))
    await records.add(AttributeValueFields(attribute=size.id, variant=small.id, value="b"))

    await stores.refuses(category(stores, "tops"))
    await stores.refuses(product(stores, "shirt"))
    await stores.refuses(variant(stores, shirt.id, "S"))
    await stores.refuses(records.add(CollectionFields(name="Other", slug="summer")))
    await stores.refuses(records.add(CollectionProductFields(collection=summer.id, product=shirt.id)))
    await stores.refuses(records.add(AttributeFields(name="Other", code="size")))
    await stores.refuses(records.add(AttributeValueFields(attribute=size.id, product=shirt.id, value="c")))
    await stores.refuses(records.add(AttributeValueFields(attribute=size.id, variant=small.id, value="c")))
    other = await product(stores, "other")
    await stores.refuses(records.update(Record(id=other.id, fields=replace(other.fields, slug="shirt"))))
    assert [
        record.fields.slug
        for record in (await records.page(ProductFields, (SortKey("id"),), PageRequest())).items
    ] == [
        "shirt",
        "other",
    ]


async def test_constraints_refuse_broken_records(stores: Stores) -> None:
    records = stores.records
    shirt, dress = await product(stores, "shirt"), await product(stores, "dress")
    small = await variant(stores, shirt.id, "S")
    tops = await category(stores, "tops")
    await stores.refuses(records.update(Record(id=tops.id, fields=replace(tops.fields, parent=tops.id))))
    await stores.refuses(category(stores, "orphans", parent=tops.id + 100))
    await stores.refuses(product(stores, "linked", categories=(tops.id + 100,)))
    await stores.refuses(variant(stores, shirt.id + 100, "X"))
    await stores.refuses(variant(stores, shirt.id, "NEG", price=Decimal("-0.01")))
    await stores.refuses(media(stores, dress.id, variant=small.id))
    size = await records.add(AttributeFields(name="Size", code="size"))
    await stores.refuses(records.add(AttributeValueFields(attribute=size.id, value="x")))
    await stores.refuses(
        records.add(AttributeValueFields(attribute=size.id, product=shirt.id, variant=small.id, value="x"))
    )
    assert await records.get(CategoryFields, tops.id) == tops
    assert await ids(stores, VariantFields) == [small.id]
    assert await ids(stores, MediaFields) == []


async def test_one_primary_image_per_product_and_per_variant(stores: Stores) -> None:
    shirt, dress = await product(stores, "shirt"), await product(stores, "dress")
    small = await variant(stores, shirt.id, "S")
    large = await variant(stores, shirt.id, "L")
    product_level = await media(stores, shirt.id, is_primary=True)
    of_small = await media(stores, shirt.id, variant=small.id, is_primary=True)
    of_large = await media(stores, shirt.id, variant=large.id, is_primary=True)
    of_dress = await media(stores, dress.id, is_primary=True)
    await stores.refuses(media(stores, shirt.id, is_primary=True))
    await stores.refuses(media(stores, shirt.id, variant=small.id, is_primary=True))

    async def primaries() -> set[int]:
        page = await stores.records.page(MediaFields, (SortKey("id"),), PageRequest())
        return {record.id for record in page.items if record.fields.is_primary}

    await stores.records.demote_primary_media(shirt.id, None, product_level.id)
    assert await primaries() == {product_level.id, of_small.id, of_large.id, of_dress.id}
    await stores.records.demote_primary_media(shirt.id, None, None)
    assert await primaries() == {of_small.id, of_large.id, of_dress.id}
    await stores.records.demote_primary_media(shirt.id, small.id, None)
    assert await primaries() == {of_large.id, of_dress.id}
    again = await media(stores, shirt.id, is_primary=True)
    assert await primaries() == {again.id, of_large.id, of_dress.id}


async def test_lineage_is_the_category_and_its_ancestors(stores: Stores) -> None:
    root = await category(stores, "root")
    middle = await category(stores, "middle", parent=root.id)
    leaf = await category(stores, "leaf", parent=middle.id)
    other = await category(stores, "other")
    assert await stores.records.lineage(leaf.id) == {leaf.id, middle.id, root.id}
    assert await stores.records.lineage(root.id) == {root.id}
    assert await stores.records.lineage(other.id + 100) == frozenset()
    for huge in HUGE_IDS:
        assert await stores.records.lineage(huge) == frozenset()
    # Even a cycle (which the use cases never write) ends.
    await stores.records.update(Record(id=root.id, fields=replace(root.fields, parent=leaf.id)))
    assert await stores.records.lineage(middle.id) == {leaf.id, middle.id, root.id}


async def test_deleting_a_category_unparents_its_children_and_unlinks_its_products(stores: Stores) -> None:
    tops, shirts, other = [await category(stores, slug) for slug in ("tops", "shirts", "other")]
    await stores.records.update(Record(id=shirts.id, fields=replace(shirts.fields, parent=tops.id)))
    shirt = await product(stores, "shirt", categories=(tops.id, other.id))
    assert await stores.records.delete(CategoryFields, tops.id)
    assert (await stores.records.get(CategoryFields, shirts.id)).fields.parent is None  # type: ignore[union-attr]
    assert (await stores.records.get(ProductFields, shirt.id)).fields.categories == (other.id,)  # type: ignore[union-attr]
    assert not await stores.records.delete(CategoryFields, tops.id)
    for huge in HUGE_IDS:
        assert not await stores.records.delete(CategoryFields, huge)


async def test_deleting_a_product_takes_everything_that_hangs_on_it(stores: Stores) -> None:
    records = stores.records
    shirt, dress = await product(stores, "shirt"), await product(stores, "dress")
    small, gown = await variant(stores, shirt.id, "S"), await variant(stores, dress.id, "G")
    await media(stores, shirt.id, variant=small.id)
    kept_media = await media(stores, dress.id)
    size = await records.add(AttributeFields(name="Size", code="size"))
    await records.add(AttributeValueFields(attribute=size.id, product=shirt.id, value="x"))
    await records.add(AttributeValueFields(attribute=size.id, variant=small.id, value="x"))
    kept_value = await records.add(AttributeValueFields(attribute=size.id, variant=gown.id, value="x"))
    summer = await records.add(CollectionFields(name="Summer", slug="summer"))
    await records.add(CollectionProductFields(collection=summer.id, product=shirt.id))
    kept_link = await records.add(CollectionProductFields(collection=summer.id, product=dress.id))

    assert await records.delete(ProductFields, shirt.id)
    assert await ids(stores, ProductFields) == [dress.id]
    assert await ids(stores, VariantFields) == [gown.id]
    assert await ids(stores, MediaFields) == [kept_media.id]
    assert await ids(stores, AttributeValueFields) == [kept_value.id]
    assert await ids(stores, CollectionProductFields) == [kept_link.id]

    assert await records.delete(VariantFields, gown.id)
    assert await ids(stores, AttributeValueFields) == []
    assert await records.delete(CollectionFields, summer.id)
    assert await ids(stores, CollectionProductFields) == []
    assert await records.delete(AttributeFields, size.id)
    assert await ids(stores, AttributeFields) == []


async def test_variants_that_orders_reference_cannot_be_deleted(stores: Stores) -> None:
    shirt = await product(stores, "shirt")
    ordered, spare = await variant(stores, shirt.id, "S"), await variant(stores, shirt.id, "L")
    picture = await media(stores, shirt.id, variant=ordered.id)
    await stores.order_variant(ordered.id)
    await stores.refuses(stores.records.delete(VariantFields, ordered.id), ProtectedError)
    await stores.refuses(stores.records.delete(ProductFields, shirt.id), ProtectedError)
    assert await ids(stores, VariantFields) == [ordered.id, spare.id]
    assert await ids(stores, MediaFields) == [picture.id]
    assert await stores.records.delete(VariantFields, spare.id)
