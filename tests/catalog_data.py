"""Catalog rows for tests, written with Core inserts on an engine of the test's own event loop
(never the app's: the test client runs the app in another loop)."""

import itertools
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.rows.catalog import (
    AttributeRow,
    CategoryRow,
    CollectionProductRow,
    CollectionRow,
    MediaRow,
    ProductCategoryRow,
    ProductRow,
    VariantRow,
)
from avthrift.adapters.sqlalchemy.rows.inventory import StockItemRow


class CatalogBuilder:
    """Each method stores one row (committed at once) and returns its id. Slugs, skus and codes
    default to unique values."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._numbers = itertools.count(1)

    def _unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self._numbers)}"

    async def _insert(self, table: Any, **values: Any) -> int:
        async with self.engine.begin() as connection:
            row_id: int = (
                await connection.execute(insert(table).values(**values).returning(table.id))
            ).scalar_one()
        return row_id

    async def category(
        self,
        name: str = "Category",
        *,
        slug: str | None = None,
        parent: int | None = None,
        is_active: bool = True,
        sort_order: int = 0,
        description: str = "",
    ) -> int:
        return await self._insert(
            CategoryRow,
            name=name,
            slug=slug or self._unique("category"),
            parent_id=parent,
            is_active=is_active,
            sort_order=sort_order,
            description=description,
        )

    async def product(
        self,
        title: str = "Product",
        *,
        slug: str | None = None,
        status: str = "published",
        description: str = "",
        seo_title: str = "",
        seo_description: str = "",
        categories: Iterable[int] = (),
    ) -> int:
        product_id = await self._insert(
            ProductRow,
            title=title,
            slug=slug or self._unique("product"),
            status=status,
            description=description,
            seo_title=seo_title,
            seo_description=seo_description,
        )
        for category_id in categories:
            await self.categorise(product_id, category_id)
        return product_id

    async def categorise(self, product: int, category: int) -> int:
        return await self._insert(ProductCategoryRow, product_id=product, category_id=category)

    async def variant(
        self,
        product: int,
        *,
        sku: str | None = None,
        price: str | None = "10.00",
        barcode: str = "",
        status: str = "active",
    ) -> int:
        return await self._insert(
            VariantRow,
            product_id=product,
            sku=sku or self._unique("SKU"),
            price=None if price is None else Decimal(price),
            barcode=barcode,
            status=status,
        )

    async def media(
        self,
        product: int,
        *,
        url: str | None = None,
        variant: int | None = None,
        is_primary: bool = False,
        sort_order: int = 0,
        alt_text: str = "",
    ) -> int:
        return await self._insert(
            MediaRow,
            product_id=product,
            variant_id=variant,
            url=url or f"https://img.example.com/{self._unique('media')}.jpg",
            is_primary=is_primary,
            sort_order=sort_order,
            alt_text=alt_text,
        )

    async def collection(
        self,
        name: str = "Collection",
        *,
        slug: str | None = None,
        is_active: bool = True,
        sort_order: int = 0,
        description: str = "",
    ) -> int:
        return await self._insert(
            CollectionRow,
            name=name,
            slug=slug or self._unique("collection"),
            is_active=is_active,
            sort_order=sort_order,
            description=description,
        )

    async def link(self, collection: int, product: int, sort_order: int = 0) -> int:
        """Put `product` in `collection`."""
        return await self._insert(
            CollectionProductRow, collection_id=collection, product_id=product, sort_order=sort_order
        )

    async def stock(self, variant_id: int, on_hand: int, reserved: int = 0) -> int:
        return await self._insert(StockItemRow, variant_id=variant_id, on_hand=on_hand, reserved=reserved)

    async def attribute(
        self,
        name: str = "Attribute",
        *,
        code: str | None = None,
        input_type: str = "text",
        is_filterable: bool = False,
        allowed_values: list[str] | None = None,
        sort_order: int = 0,
    ) -> int:
        return await self._insert(
            AttributeRow,
            name=name,
            code=code or self._unique("attr"),
            input_type=input_type,
            is_filterable=is_filterable,
            allowed_values=allowed_values,
            sort_order=sort_order,
        )


@asynccontextmanager
async def catalog_builder(database_url: str) -> AsyncIterator[CatalogBuilder]:
    engine = create_engine(database_url)
    try:
        yield CatalogBuilder(engine)
    finally:
        await engine.dispose()
