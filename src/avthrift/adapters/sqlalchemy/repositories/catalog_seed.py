"""Insert-if-missing writes of the demo catalog: `INSERT … ON CONFLICT DO NOTHING` on the natural key
(identical on PostgreSQL and SQLite), then a lookup when the row was already there."""

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.rows.catalog import (
    AttributeRow,
    AttributeValueRow,
    CategoryRow,
    CollectionProductRow,
    CollectionRow,
    MediaRow,
    ProductCategoryRow,
    ProductRow,
    VariantRow,
)
from avthrift.adapters.sqlalchemy.rows.inventory import StockItemRow, StockMovementRow
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

type Row = type[Any]


class SqlAlchemyDemoCatalogWriter(DemoCatalogWriter):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _insert(self, row: Row, key: tuple[str, ...], values: dict[str, Any]) -> int | None:
        """The id of the inserted row, or `None` when a row with the same `key` columns exists."""
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(row).values(**values).on_conflict_do_nothing(index_elements=list(key))
        with translate_errors():
            inserted: int | None = (await self._session.execute(statement.returning(row.id))).scalar()
        return inserted

    async def _ensure(self, row: Row, key: tuple[str, ...], values: dict[str, Any]) -> Ensured:
        inserted = await self._insert(row, key, values)
        if inserted is not None:
            return Ensured(id=inserted, created=True)
        columns: list[InstrumentedAttribute[Any]] = [getattr(row, name) for name in key]
        statement = select(row.id).where(*(column == values[column.key] for column in columns))
        with translate_errors():
            found: int = (await self._session.execute(statement)).scalar_one()
        return Ensured(id=found, created=False)

    async def ensure_category(self, fields: CategoryFields) -> Ensured:
        return await self._ensure(
            CategoryRow,
            ("slug",),
            {
                "name": fields.name,
                "slug": fields.slug,
                "description": fields.description,
                "parent_id": fields.parent,
                "is_active": fields.is_active,
                "sort_order": fields.sort_order,
            },
        )

    async def ensure_attribute(self, fields: AttributeFields) -> Ensured:
        allowed = None if fields.allowed_values is None else list(fields.allowed_values)
        return await self._ensure(
            AttributeRow,
            ("code",),
            {
                "name": fields.name,
                "code": fields.code,
                "input_type": fields.input_type.value,
                "is_filterable": fields.is_filterable,
                "allowed_values": allowed,
                "sort_order": fields.sort_order,
            },
        )

    async def ensure_collection(self, fields: CollectionFields) -> Ensured:
        return await self._ensure(
            CollectionRow,
            ("slug",),
            {
                "name": fields.name,
                "slug": fields.slug,
                "description": fields.description,
                "is_active": fields.is_active,
                "sort_order": fields.sort_order,
            },
        )

    async def ensure_product(self, fields: ProductFields) -> Ensured:
        ensured = await self._ensure(
            ProductRow,
            ("slug",),
            {
                "title": fields.title,
                "slug": fields.slug,
                "description": fields.description,
                "status": fields.status.value,
                "seo_title": fields.seo_title,
                "seo_description": fields.seo_description,
            },
        )
        if ensured.created and fields.categories:
            links = [{"product_id": ensured.id, "category_id": category} for category in fields.categories]
            with translate_errors():
                await self._session.execute(insert(ProductCategoryRow), links)
        return ensured

    async def ensure_variant(self, fields: VariantFields) -> Ensured:
        return await self._ensure(
            VariantRow,
            ("sku",),
            {
                "product_id": fields.product,
                "sku": fields.sku,
                "price": fields.price,
                "barcode": fields.barcode,
                "status": fields.status.value,
            },
        )

    async def ensure_attribute_value(self, fields: AttributeValueFields) -> bool:
        owner = ("product_id", fields.product) if fields.variant is None else ("variant_id", fields.variant)
        values = {"attribute_id": fields.attribute, owner[0]: owner[1], "value": fields.value}
        return await self._insert(AttributeValueRow, ("attribute_id", owner[0]), values) is not None

    async def ensure_media(self, fields: MediaFields) -> bool:
        # No unique key on (product, url): look first, inside the caller's transaction.
        same: ColumnElement[bool] = and_(MediaRow.product_id == fields.product, MediaRow.url == fields.url)
        with translate_errors():
            if await self._session.scalar(select(exists().where(same))):
                return False
            await self._session.execute(
                insert(MediaRow).values(
                    product_id=fields.product,
                    variant_id=fields.variant,
                    url=fields.url,
                    alt_text=fields.alt_text,
                    is_primary=fields.is_primary,
                    sort_order=fields.sort_order,
                )
            )
        return True

    async def ensure_collection_product(self, fields: CollectionProductFields) -> bool:
        values = {
            "collection_id": fields.collection,
            "product_id": fields.product,
            "sort_order": fields.sort_order,
        }
        return await self._insert(CollectionProductRow, ("collection_id", "product_id"), values) is not None

    async def ensure_stock(self, variant: int, quantity: int, *, reason: str, reference: str) -> bool:
        values = {"variant_id": variant, "on_hand": quantity, "reserved": 0}
        stock_item = await self._insert(StockItemRow, ("variant_id",), values)
        if stock_item is None:
            return False
        if quantity > 0:
            movement = insert(StockMovementRow).values(
                stock_item_id=stock_item,
                movement_type="in",
                quantity=quantity,
                reason=reason,
                reference=reference,
            )
            with translate_errors():
                await self._session.execute(movement)
        return True
