"""`avthrift catalog seed`: write the demo catalog, creating what is missing and changing nothing."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Final

from avthrift.domain.catalog.demo import DemoCatalog, DemoMedia, DemoProduct, DemoVariant
from avthrift.domain.catalog.model import (
    AttributeFields,
    AttributeValueFields,
    CategoryFields,
    CollectionFields,
    CollectionProductFields,
    MediaFields,
    ProductFields,
    VariantFields,
)
from avthrift.domain.catalog.ports import DemoCatalogWriter, Ensured
from avthrift.domain.shared.ports import UnitOfWork

BATCH_SIZE: Final = 20
STOCK_REASON: Final = "Demo catalog seed"
STOCK_REFERENCE: Final = "seed"

type ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedSummary:
    """How many rows of each kind the seed created: all 0 when the catalog was already there."""

    categories: int = 0
    attributes: int = 0
    collections: int = 0
    products: int = 0
    variants: int = 0
    attribute_values: int = 0
    media: int = 0
    collection_products: int = 0
    stock_items: int = 0
    stock_movements: int = 0

    @property
    def created(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))


@dataclass(frozen=True, slots=True)
class _Keys:
    """Ids of the rows products refer to, and the collection links of each product slug."""

    categories: dict[str, int]
    attributes: dict[str, int]
    collections: dict[str, Ensured]
    links: dict[str, list[tuple[str, int]]]


def _no_progress(done: int, total: int) -> None:
    """The default `on_progress`: report nothing."""


class SeedDemoCatalog:
    """Writes `catalog` by natural key, inserting only what is missing.

    Categories, attributes and collections go in one transaction, then the products in batches of
    `BATCH_SIZE`, one transaction each (the one exception to one use case, one transaction): a long
    seed never holds SQLite's write lock for long, and an interrupted one keeps its finished batches
    and is completed by the next run. A row that already exists is left alone with everything
    hanging off it (a product's variants, values, media and stock; a link when neither its product
    nor its collection is new), so staff edits and deletions survive a re-seed. `on_progress(done,
    total)` is called with 0 products done, then after each committed batch.
    """

    def __init__(self, uow: UnitOfWork, writer: DemoCatalogWriter) -> None:
        self._uow, self._writer = uow, writer

    async def __call__(
        self, catalog: DemoCatalog, on_progress: ProgressCallback = _no_progress
    ) -> SeedSummary:
        counts: Counter[str] = Counter()
        async with self._uow:
            keys = await self._structure(catalog, counts)
            await self._uow.commit()
        total = len(catalog.products)
        on_progress(0, total)
        for start in range(0, total, BATCH_SIZE):
            batch = catalog.products[start : start + BATCH_SIZE]
            async with self._uow:
                for product in batch:
                    await self._product(product, keys, counts)
                await self._uow.commit()
            on_progress(start + len(batch), total)
        return SeedSummary(**counts)

    async def _structure(self, catalog: DemoCatalog, counts: Counter[str]) -> _Keys:
        keys = _Keys({}, {}, {}, {})
        for category in catalog.categories:
            parent = None if category.parent is None else keys.categories[category.parent]
            ensured = await self._writer.ensure_category(
                CategoryFields(
                    name=category.name,
                    slug=category.slug,
                    description=category.description,
                    parent=parent,
                    is_active=category.is_active,
                    sort_order=category.sort_order,
                )
            )
            keys.categories[category.slug] = ensured.id
            counts["categories"] += ensured.created
        for attribute in catalog.attributes:
            ensured = await self._writer.ensure_attribute(
                AttributeFields(
                    name=attribute.name,
                    code=attribute.code,
                    input_type=attribute.input_type,
                    is_filterable=attribute.is_filterable,
                    allowed_values=attribute.allowed_values,
                    sort_order=attribute.sort_order,
                )
            )
            keys.attributes[attribute.code] = ensured.id
            counts["attributes"] += ensured.created
        for collection in catalog.collections:
            ensured = await self._writer.ensure_collection(
                CollectionFields(
                    name=collection.name,
                    slug=collection.slug,
                    description=collection.description,
                    is_active=collection.is_active,
                    sort_order=collection.sort_order,
                )
            )
            keys.collections[collection.slug] = ensured
            counts["collections"] += ensured.created
            for position, slug in enumerate(collection.products, start=1):
                keys.links.setdefault(slug, []).append((collection.slug, position))
        return keys

    async def _product(self, product: DemoProduct, keys: _Keys, counts: Counter[str]) -> None:
        ensured = await self._writer.ensure_product(
            ProductFields(
                title=product.title,
                slug=product.slug,
                description=product.description,
                status=product.status,
                seo_title=product.seo_title,
                seo_description=product.seo_description,
                categories=tuple(keys.categories[slug] for slug in product.categories),
            )
        )
        await self._links(product.slug, ensured, keys, counts)
        if not ensured.created:
            return
        counts["products"] += 1
        for code, value in product.attributes:
            counts["attribute_values"] += await self._writer.ensure_attribute_value(
                AttributeValueFields(attribute=keys.attributes[code], value=value, product=ensured.id)
            )
        await self._media(ensured.id, None, product.media, counts)
        for variant in product.variants:
            await self._variant(ensured.id, variant, keys, counts)

    async def _links(self, slug: str, product: Ensured, keys: _Keys, counts: Counter[str]) -> None:
        for collection_slug, position in keys.links.get(slug, ()):
            collection = keys.collections[collection_slug]
            if product.created or collection.created:
                counts["collection_products"] += await self._writer.ensure_collection_product(
                    CollectionProductFields(collection=collection.id, product=product.id, sort_order=position)
                )

    async def _variant(self, product: int, variant: DemoVariant, keys: _Keys, counts: Counter[str]) -> None:
        ensured = await self._writer.ensure_variant(
            VariantFields(
                product=product,
                sku=variant.sku,
                price=variant.price,
                barcode=variant.barcode,
                status=variant.status,
            )
        )
        if not ensured.created:  # the SKU is taken, maybe by another product: not ours to touch
            return
        counts["variants"] += 1
        for code, value in variant.attributes:
            counts["attribute_values"] += await self._writer.ensure_attribute_value(
                AttributeValueFields(attribute=keys.attributes[code], value=value, variant=ensured.id)
            )
        await self._media(product, ensured.id, variant.media, counts)
        stocked = await self._writer.ensure_stock(
            ensured.id, variant.stock, reason=STOCK_REASON, reference=STOCK_REFERENCE
        )
        counts["stock_items"] += stocked
        counts["stock_movements"] += stocked and variant.stock > 0

    async def _media(
        self, product: int, variant: int | None, media: tuple[DemoMedia, ...], counts: Counter[str]
    ) -> None:
        for image in media:
            counts["media"] += await self._writer.ensure_media(
                MediaFields(
                    product=product,
                    variant=variant,
                    url=image.url,
                    alt_text=image.alt_text,
                    is_primary=image.is_primary,
                    sort_order=image.sort_order,
                )
            )
