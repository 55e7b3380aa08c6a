"""One contract for `DemoCatalogWriter`, run on the fake and on SQL (both engines): every `ensure_*`
inserts once, then finds the row by its natural key."""

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.catalog_seed import SqlAlchemyDemoCatalogWriter
from avthrift.domain.catalog.model import (
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
from avthrift.domain.catalog.ports import DemoCatalogWriter, Ensured
from tests.conftest import migrated_database
from tests.fakes import FakeDemoCatalogWriter


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def writer_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    if request.param == "fake":
        yield None
        return
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def writer(writer_database: str | None) -> AsyncIterator[DemoCatalogWriter]:
    if writer_database is None:
        yield FakeDemoCatalogWriter()
        return
    engine = create_engine(writer_database)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield SqlAlchemyDemoCatalogWriter(session)
    await engine.dispose()


async def test_keyed_rows_are_inserted_once_then_found(writer: DemoCatalogWriter) -> None:
    women = await writer.ensure_category(CategoryFields(name="Women", slug="women"))
    assert women.created
    again = await writer.ensure_category(CategoryFields(name="Renamed", slug="women", sort_order=9))
    assert (again.id, again.created) == (women.id, False)
    dresses = await writer.ensure_category(CategoryFields(name="Dresses", slug="dresses", parent=women.id))
    assert dresses.created
    assert dresses.id != women.id

    size = AttributeFields(name="Size", code="size", input_type=InputType.SELECT, allowed_values=("S", "M"))
    first = await writer.ensure_attribute(size)
    assert first.created
    assert await writer.ensure_attribute(size) == Ensured(id=first.id, created=False)

    new_in = await writer.ensure_collection(CollectionFields(name="New in", slug="new-in"))
    assert new_in.created
    assert not (await writer.ensure_collection(CollectionFields(name="Other", slug="new-in"))).created

    product_fields = ProductFields(title="Dress", slug="dress", categories=(women.id, dresses.id))
    product = await writer.ensure_product(product_fields)
    assert product.created
    found = await writer.ensure_product(ProductFields(title="Edited", slug="dress"))
    assert (found.id, found.created) == (product.id, False)


async def test_a_variant_is_found_by_sku_whoever_owns_it(writer: DemoCatalogWriter) -> None:
    first = await writer.ensure_product(ProductFields(title="One", slug="one"))
    second = await writer.ensure_product(ProductFields(title="Two", slug="two"))
    variant = await writer.ensure_variant(
        VariantFields(product=first.id, sku="AVT-1", price=Decimal("4500.00"))
    )
    assert variant.created
    taken = await writer.ensure_variant(VariantFields(product=second.id, sku="AVT-1", price=Decimal(1)))
    assert (taken.id, taken.created) == (variant.id, False)


async def test_values_media_links_and_stock_are_inserted_once(writer: DemoCatalogWriter) -> None:
    product = await writer.ensure_product(ProductFields(title="Bag", slug="bag"))
    variant = await writer.ensure_variant(VariantFields(product=product.id, sku="AVT-2", price=Decimal(9000)))
    colour = await writer.ensure_attribute(AttributeFields(name="Colour", code="colour"))
    collection = await writer.ensure_collection(CollectionFields(name="Featured", slug="featured"))

    on_product = AttributeValueFields(attribute=colour.id, value="Red", product=product.id)
    on_variant = AttributeValueFields(attribute=colour.id, value="Blue", variant=variant.id)
    assert await writer.ensure_attribute_value(on_product)
    assert await writer.ensure_attribute_value(on_variant)
    assert not await writer.ensure_attribute_value(on_product)
    assert not await writer.ensure_attribute_value(
        AttributeValueFields(attribute=colour.id, value="x", variant=variant.id)
    )

    front = MediaFields(
        product=product.id, url="https://images.avthrift.example/bag/front.jpg", is_primary=True
    )
    assert await writer.ensure_media(front)
    assert not await writer.ensure_media(front)
    variant_image = MediaFields(
        product=product.id,
        variant=variant.id,
        url="https://images.avthrift.example/bag/red.jpg",
        is_primary=True,
    )
    assert await writer.ensure_media(variant_image)

    link = CollectionProductFields(collection=collection.id, product=product.id, sort_order=1)
    assert await writer.ensure_collection_product(link)
    assert not await writer.ensure_collection_product(link)

    assert await writer.ensure_stock(variant.id, 3, reason="Demo catalog seed", reference="seed")
    assert not await writer.ensure_stock(variant.id, 5, reason="Demo catalog seed", reference="seed")
    sold_out = await writer.ensure_variant(
        VariantFields(product=product.id, sku="AVT-3", price=Decimal(9000))
    )
    assert await writer.ensure_stock(sold_out.id, 0, reason="Demo catalog seed", reference="seed")
