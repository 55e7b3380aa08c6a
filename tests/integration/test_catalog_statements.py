"""The public catalog's statement budget (issue 4, acceptance line 5), on both engines: a page of
product cards and a product each take at most 3 SQL statements, whatever the page size and however
many variants, media and categories the products carry.

Statements are counted with SQLAlchemy's `before_cursor_execute` event on an engine of this test,
driving the use cases and the SQL reader as the app does. Transaction control is not a query and
is not counted: SQLite's engine issues its `BEGIN` through the cursor (PostgreSQL's asyncpg does not).
"""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from avthrift.adapters.sqlalchemy.repositories.catalog_reader import SqlAlchemyCatalogReader
from avthrift.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from avthrift.domain.catalog.ports import CatalogReader
from avthrift.domain.catalog.use_cases import browse
from avthrift.domain.shared.pagination import PageRequest
from avthrift.domain.shared.ports import UnitOfWork
from tests.catalog_data import CatalogBuilder, catalog_builder

BUDGET = 3
MANY = 15
PAGE_SIZES = (1, 20, 100)
_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Shop:
    """110 published products: 100 plain ones (1 variant, 1 image, 1 category), 5 bare ones and 5
    rich ones (MANY active variants with stock and images, MANY categories); plus hidden rows."""

    category: str
    collection: str
    bare: str
    plain: str
    rich: str
    published: int


async def build_shop(build: CatalogBuilder) -> Shop:
    categories = [await build.category(f"Category {n:02}", sort_order=n) for n in range(MANY)]
    main = await build.category("Main", slug="main")
    hidden = await build.category("Hidden", is_active=False)
    collection = await build.collection("Picks", slug="picks")
    for n in range(100):
        product = await build.product(f"Plain {n:03}", slug=f"plain-{n}", categories=[main])
        variant = await build.variant(product, price=f"{n}.50")
        await build.stock(variant, on_hand=n % 3)
        await build.media(product, is_primary=True)
        await build.link(collection, product, sort_order=-n)
    for n in range(5):
        await build.product(f"Bare {n}", slug=f"bare-{n}", categories=[main])
    for n in range(5):
        product = await build.product(f"Rich {n}", slug=f"rich-{n}", categories=[*categories, main, hidden])
        await build.link(collection, product)
        for v in range(MANY):
            variant = await build.variant(product, price=f"{v + 1}.00")
            await build.stock(variant, on_hand=2, reserved=1)
            await build.media(product, variant=variant, is_primary=True, sort_order=v)
            hidden_variant = await build.variant(product, status="inactive")
            await build.media(product, variant=hidden_variant)
            await build.media(product, sort_order=v)
    await build.product("Draft", slug="draft", status="draft", categories=[main])
    return Shop(
        category="main", collection="picks", bare="bare-0", plain="plain-7", rich="rich-0", published=110
    )


@pytest.fixture
async def shop(database_url: str) -> AsyncIterator[tuple[Shop, AsyncEngine]]:
    async with catalog_builder(database_url) as build:
        yield await build_shop(build), build.engine


type Call = Callable[[SqlAlchemyUnitOfWork, SqlAlchemyCatalogReader], Awaitable[Any]]


def run(
    case: Callable[[UnitOfWork, CatalogReader], Callable[..., Awaitable[Any]]], *args: Any, **kwargs: Any
) -> Call:
    """A call of the use case `case` with these arguments."""
    return lambda uow, reader: case(uow, reader)(*args, **kwargs)


async def counted(engine: AsyncEngine, call: Call) -> tuple[int, Any]:
    """The number of queries `call` runs through a fresh session, and its result."""
    queries: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            queries.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with AsyncSession(engine) as session:
            result = await call(SqlAlchemyUnitOfWork(session), SqlAlchemyCatalogReader(session))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return len(queries), result


LIST_OPTIONS: tuple[dict[str, str], ...] = (
    {},
    {"ordering": "-price_min"},
    {"ordering": "created_at"},
    {"search": "i", "category": "main"},  # "Main" holds every product, once, however many match
)


async def test_a_page_of_product_cards_takes_at_most_three_statements(
    shop: tuple[Shop, AsyncEngine],
) -> None:
    facts, engine = shop
    for options in LIST_OPTIONS:
        for page_size in PAGE_SIZES:
            pages = -(-facts.published // page_size)
            for number in sorted({1, 2, pages}):
                request = PageRequest(number=number, size=page_size)
                statements, page = await counted(engine, run(browse.ListProducts, **options, page=request))
                assert statements <= BUDGET, (options, page_size, number, statements)
                assert page.total == facts.published
                last = facts.published - (pages - 1) * page_size
                assert len(page.items) == (page_size if number < pages else last)
    rich = await counted(engine, run(browse.ListProducts, search="Rich 0"))
    card = rich[1].items[0]
    assert (card.price_min, card.price_max, card.in_stock) == (1, MANY, True)
    assert card.primary_category is not None
    assert card.primary_category.slug == "category-1"


async def test_a_product_takes_at_most_three_statements(shop: tuple[Shop, AsyncEngine]) -> None:
    facts, engine = shop
    # slug → (variants, media, categories) visible
    expected = {facts.bare: (0, 0, 1), facts.plain: (1, 1, 1), facts.rich: (MANY, 2 * MANY, MANY + 1)}
    for slug, sizes in expected.items():
        statements, product = await counted(engine, run(browse.GetProduct, slug))
        assert statements <= BUDGET, slug
        assert (len(product.variants), len(product.media), len(product.categories)) == sizes


async def test_nested_lists_take_a_bounded_number_of_statements(shop: tuple[Shop, AsyncEngine]) -> None:
    facts, engine = shop
    calls: dict[str, Call] = {
        "category products": run(browse.ListCategoryProducts, facts.category),
        "collection products": run(browse.ListCollectionProducts, facts.collection),
        "variants of a product": run(browse.ListProductVariants, facts.rich),
        "media of a product": run(browse.ListProductMedia, facts.rich),
        "variants": run(browse.ListVariants, page=PageRequest(size=100)),
    }
    sizes = {
        "category products": facts.published,
        "collection products": 105,
        "variants of a product": MANY,
        "media of a product": 2 * MANY,
        "variants": 100,
    }
    for name, call in calls.items():
        statements, found = await counted(engine, call)
        assert statements <= BUDGET, name
        items = found if isinstance(found, tuple) else found.items
        assert len(items) == sizes[name], name
