"""The one way repositories read a page of a list (contract §1): count, check the page, slice."""

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import QueryableAttribute

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.domain.shared.pagination import Page, PageRequest, SortKey


def order_by(
    columns: Mapping[str, ColumnElement[Any] | QueryableAttribute[Any]], ordering: tuple[SortKey, ...]
) -> list[Any]:
    """ORDER BY clauses for domain sort keys; `columns` maps each allowed field to its column.

    NULLs sort as PostgreSQL sorts them by default (last ascending, first descending), on SQLite too.
    """
    return [
        columns[key.field].desc().nulls_first() if key.descending else columns[key.field].asc().nulls_last()
        for key in ordering
    ]


async def fetch_page[T](
    session: AsyncSession | AsyncConnection,
    statement: Select[Any],
    request: PageRequest,
    to_item: Callable[[Row[Any]], T],
) -> Page[T]:
    """Run `statement` (already filtered and ordered) for one page; raises `InvalidPageError`
    past the last page without reading any row."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    with translate_errors():
        total = int(await session.scalar(counted) or 0)
        request.check(total)
        rows = await session.execute(statement.limit(request.size).offset(request.offset))
    return Page(items=tuple(to_item(row) for row in rows), total=total, request=request)
