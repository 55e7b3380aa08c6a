"""The seed use case against an in-memory writer: what it creates, what it leaves alone."""

import math
from dataclasses import replace

from avthrift.domain.catalog.demo import DemoCatalog, demo_catalog
from avthrift.domain.catalog.model import ProductFields, VariantFields
from avthrift.domain.catalog.use_cases.seed import BATCH_SIZE, SeedDemoCatalog, SeedSummary
from tests.fakes import FakeDemoCatalogWriter, FakeUnitOfWork

CATALOG = demo_catalog()
VARIANTS = [v for p in CATALOG.products for v in p.variants]


def expected(catalog: DemoCatalog) -> SeedSummary:
    variants = [v for p in catalog.products for v in p.variants]
    return SeedSummary(
        categories=len(catalog.categories),
        attributes=len(catalog.attributes),
        collections=len(catalog.collections),
        products=len(catalog.products),
        variants=len(variants),
        attribute_values=sum(
            len(p.attributes) + sum(len(v.attributes) for v in p.variants) for p in catalog.products
        ),
        media=sum(len(p.media) + sum(len(v.media) for v in p.variants) for p in catalog.products),
        collection_products=sum(len(c.products) for c in catalog.collections),
        stock_items=len(variants),
        stock_movements=sum(v.stock > 0 for v in variants),
    )


async def seed(
    writer: FakeDemoCatalogWriter, catalog: DemoCatalog = CATALOG
) -> tuple[SeedSummary, FakeUnitOfWork, list[tuple[int, int]]]:
    uow, progress = FakeUnitOfWork(), list[tuple[int, int]]()

    def record(done: int, total: int) -> None:
        progress.append((done, total))

    summary = await SeedDemoCatalog(uow, writer)(catalog, on_progress=record)
    return summary, uow, progress


async def test_the_first_run_creates_everything_in_batches_and_reports_progress() -> None:
    writer = FakeDemoCatalogWriter()
    summary, uow, progress = await seed(writer)
    assert summary == expected(CATALOG)
    assert summary.created > 0
    total = len(CATALOG.products)
    batches = math.ceil(total / BATCH_SIZE)
    assert uow.commits == 1 + batches
    assert uow.rollbacks == 0
    assert progress[0] == (0, total)
    assert progress[-1] == (total, total)
    assert [done for done, _ in progress] == sorted({0, *range(BATCH_SIZE, total, BATCH_SIZE), total})
    assert {(reason, reference) for *_, reason, reference in writer.movements} == {
        ("Demo catalog seed", "seed")
    }
    assert sum(movement[1] for movement in writer.movements) == sum(v.stock for v in VARIANTS)


async def test_a_second_run_creates_nothing_and_changes_nothing() -> None:
    writer = FakeDemoCatalogWriter()
    await seed(writer)
    before = {table: dict(rows) for table, rows in writer.tables.items()}
    summary, _, progress = await seed(writer)
    assert summary == SeedSummary()
    assert summary.created == 0
    assert writer.tables == before
    assert progress[-1] == (len(CATALOG.products), len(CATALOG.products))


async def test_an_existing_product_is_left_alone_with_everything_under_it() -> None:
    writer = FakeDemoCatalogWriter()
    target = CATALOG.products[0]
    edited = ProductFields(title="Edited by staff", slug=target.slug)
    await writer.ensure_product(edited)
    summary, *_ = await seed(writer)
    assert writer.tables["products"][target.slug][1] == edited
    assert summary.products == len(CATALOG.products) - 1
    assert all(v.sku not in writer.tables["variants"] for v in target.variants)
    assert summary.variants == expected(CATALOG).variants - len(target.variants)


async def test_a_taken_sku_is_skipped_with_its_values_media_and_stock() -> None:
    writer = FakeDemoCatalogWriter()
    product = next(p for p in CATALOG.products if any(v.media for v in p.variants))
    taken = next(v for v in product.variants if v.media)
    owner = await writer.ensure_product(ProductFields(title="Staff product", slug="staff-product"))
    await writer.ensure_variant(VariantFields(product=owner.id, sku=taken.sku))
    summary, *_ = await seed(writer)
    variant_id = writer.tables["variants"][taken.sku][0]
    assert variant_id not in writer.tables["stock_items"]
    assert not [key for key in writer.tables["attribute_values"] if key[2] == variant_id]
    assert summary.variants == expected(CATALOG).variants - 1
    assert summary.media == expected(CATALOG).media - len(taken.media)


async def test_a_new_collection_links_products_that_already_exist() -> None:
    writer = FakeDemoCatalogWriter()
    await seed(writer)
    featured = next(c for c in CATALOG.collections if c.slug == "featured")
    collection_id = writer.tables["collections"].pop("featured")[0]
    for key in [k for k in writer.tables["collection_products"] if k[0] == collection_id]:
        del writer.tables["collection_products"][key]
    summary, *_ = await seed(writer)
    assert summary == SeedSummary(collections=1, collection_products=len(featured.products))


async def test_progress_covers_a_catalog_smaller_than_a_batch() -> None:
    small = replace(CATALOG, products=CATALOG.products[:3], collections=())
    summary, uow, progress = await seed(FakeDemoCatalogWriter(), small)
    assert progress == [(0, 3), (3, 3)]
    assert uow.commits == 2
    assert summary.products == 3
