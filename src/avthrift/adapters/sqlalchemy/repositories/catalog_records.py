"""The staff side's catalog records with Core statements: one table per `*Fields` type.

Fields keep their API names; a reference field `x` is the column `x_id`, and a product's
`categories` are its `product_categories` rows.
"""

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Row, Select, and_, delete, insert, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.pagination import fetch_page, order_by
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
from avthrift.domain.shared.errors import ConflictError
from avthrift.domain.shared.ids import usable_id
from avthrift.domain.shared.pagination import Page, PageRequest, SortKey

_REFERENCES: Final = frozenset({"parent", "product", "variant", "collection", "attribute"})


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class _Table:
    """How the fields of one kind map to the columns of one table."""

    kind: type[Any]
    row: type[Any]
    decoders: Mapping[str, Callable[[Any], Any]] = dataclasses.field(default_factory=dict)
    encoders: Mapping[str, Callable[[Any], Any]] = dataclasses.field(default_factory=dict)

    @property
    def columns(self) -> dict[str, InstrumentedAttribute[Any]]:
        names = (item.name for item in dataclasses.fields(self.kind) if item.name != "categories")
        return {name: getattr(self.row, f"{name}_id" if name in _REFERENCES else name) for name in names}

    def select(self) -> Select[Any]:
        return select(self.row.id.label("id"), *(column.label(name) for name, column in self.columns.items()))

    def record(self, row: Row[Any]) -> Record[Any]:
        mapping = row._mapping
        values = {name: self.decoders.get(name, _same)(mapping[name]) for name in self.columns}
        return Record(id=mapping["id"], fields=self.kind(**values))

    def values(self, fields: object) -> dict[str, Any]:
        return {
            column.key: self.encoders.get(name, _same)(getattr(fields, name))
            for name, column in self.columns.items()
        }


def _tuple_or_none(value: list[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _list_or_null(value: tuple[str, ...] | None) -> Any:
    return null() if value is None else list(value)


_TABLES: Final[dict[type[Any], _Table]] = {
    table.kind: table
    for table in (
        _Table(CategoryFields, CategoryRow),
        _Table(ProductFields, ProductRow, {"status": ProductStatus}),
        _Table(VariantFields, VariantRow, {"status": VariantStatus}),
        _Table(MediaFields, MediaRow),
        _Table(CollectionFields, CollectionRow),
        _Table(CollectionProductFields, CollectionProductRow),
        _Table(
            AttributeFields,
            AttributeRow,
            {"input_type": InputType, "allowed_values": _tuple_or_none},
            {"allowed_values": _list_or_null},
        ),
        _Table(AttributeValueFields, AttributeValueRow),
    )
}


def _canonical[F](fields: F) -> F:
    """A product's categories are a set, sorted by id."""
    if isinstance(fields, ProductFields):
        return cast(F, dataclasses.replace(fields, categories=tuple(sorted(set(fields.categories)))))
    return fields


def _valid_id(record_id: int) -> bool:
    """Ids are 64-bit on both engines: a larger one names no row (and would overflow the driver)."""
    return usable_id(record_id)


class SqlAlchemyCatalogRecords(CatalogRecords):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get[F](self, kind: type[F], record_id: int) -> Record[F] | None:
        if not _valid_id(record_id):
            return None
        table = _TABLES[kind]
        with translate_errors():
            row = (await self._session.execute(table.select().where(table.row.id == record_id))).one_or_none()
        if row is None:
            return None
        (record,) = await self._with_categories((table.record(row),))
        return cast(Record[F], record)

    async def page[F](
        self, kind: type[F], ordering: tuple[SortKey, ...], request: PageRequest
    ) -> Page[Record[F]]:
        table = _TABLES[kind]
        statement = table.select().order_by(*order_by({"id": table.row.id, **table.columns}, ordering))
        found = await fetch_page(self._session, statement, request, table.record)
        items = await self._with_categories(found.items)
        return Page(items=cast(tuple[Record[F], ...], items), total=found.total, request=request)

    async def existing(self, kind: type[object], ids: Iterable[int]) -> frozenset[int]:
        wanted = {record_id for record_id in ids if _valid_id(record_id)}
        if not wanted:
            return frozenset()
        row = _TABLES[kind].row
        with translate_errors():
            found = await self._session.scalars(select(row.id).where(row.id.in_(wanted)))
        return frozenset(found)

    async def taken(self, kind: type[object], values: Mapping[str, object], except_id: int | None) -> bool:
        table = _TABLES[kind]
        columns = table.columns
        conditions: list[ColumnElement[bool]] = [columns[name] == value for name, value in values.items()]
        if except_id is not None:
            conditions.append(table.row.id != except_id)
        with translate_errors():
            found = await self._session.scalar(select(table.row.id).where(*conditions).limit(1))
        return found is not None

    async def add[F](self, fields: F) -> Record[F]:
        table = _TABLES[type(fields)]
        statement = insert(table.row).values(**table.values(fields)).returning(table.row.id)
        with translate_errors():
            record_id: int = (await self._session.execute(statement)).scalar_one()
        await self._link_categories(fields, record_id)
        return Record(id=record_id, fields=_canonical(fields))

    async def update[F](self, record: Record[F]) -> None:
        table = _TABLES[type(record.fields)]
        statement = update(table.row).where(table.row.id == record.id).values(**table.values(record.fields))
        with translate_errors():
            result = await self._session.execute(statement)
            if not result.rowcount:  # type: ignore[attr-defined]
                return
            if isinstance(record.fields, ProductFields):
                await self._session.execute(
                    delete(ProductCategoryRow).where(ProductCategoryRow.product_id == record.id)
                )
        await self._link_categories(record.fields, record.id)

    async def delete(self, kind: type[object], record_id: int) -> bool:
        if not _valid_id(record_id):
            return False
        row = _TABLES[kind].row
        try:
            with translate_errors():
                result = await self._session.execute(delete(row).where(row.id == record_id))
        except ConflictError as error:
            # A delete only breaks a foreign key that restricts it (ON DELETE RESTRICT).
            raise ProtectedError from error
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def lineage(self, category_id: int) -> frozenset[int]:
        if not _valid_id(category_id):
            return frozenset()
        chain = (
            select(CategoryRow.id, CategoryRow.parent_id)
            .where(CategoryRow.id == category_id)
            .cte("lineage", recursive=True)
        )
        parent = aliased(CategoryRow)
        # UNION (not UNION ALL) drops rows already seen, so even a cycle ends.
        chain = chain.union(select(parent.id, parent.parent_id).join(chain, parent.id == chain.c.parent_id))
        with translate_errors():
            found = await self._session.scalars(select(chain.c.id))
        return frozenset(found)

    async def demote_primary_media(self, product: int, variant: int | None, except_id: int | None) -> None:
        scope = (
            MediaRow.variant_id == variant
            if variant is not None
            else and_(MediaRow.product_id == product, MediaRow.variant_id.is_(None))
        )
        conditions = [scope, MediaRow.is_primary.is_(True)]
        if except_id is not None:
            conditions.append(MediaRow.id != except_id)
        with translate_errors():
            await self._session.execute(update(MediaRow).where(*conditions).values(is_primary=False))

    async def _link_categories(self, fields: object, product_id: int) -> None:
        if not isinstance(fields, ProductFields) or not fields.categories:
            return
        categories = _canonical(fields).categories
        links = [{"product_id": product_id, "category_id": category} for category in categories]
        with translate_errors():
            await self._session.execute(insert(ProductCategoryRow), links)

    async def _with_categories(self, records: tuple[Record[Any], ...]) -> tuple[Record[Any], ...]:
        """Products with their category ids (one statement for the lot), other records as they are."""
        products = [record.id for record in records if isinstance(record.fields, ProductFields)]
        if not products:
            return records
        statement = (
            select(ProductCategoryRow.product_id, ProductCategoryRow.category_id)
            .where(ProductCategoryRow.product_id.in_(products))
            .order_by(ProductCategoryRow.category_id)
        )
        links: dict[int, list[int]] = {}
        with translate_errors():
            for product_id, category_id in await self._session.execute(statement):
                links.setdefault(product_id, []).append(category_id)
        return tuple(
            Record(
                id=record.id, fields=dataclasses.replace(record.fields, categories=tuple(links[record.id]))
            )
            if record.id in links
            else record
            for record in records
        )
