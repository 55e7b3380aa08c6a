"""One contract for `CartRepository`, run on the fake and on SQL (both engines), plus what only a
database can show: fetch-or-create racing itself, and the cart row lock."""

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.carts import SqlAlchemyCartRepository
from avthrift.adapters.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from avthrift.adapters.sqlalchemy.rows.catalog import ProductRow, VariantRow
from avthrift.domain.cart.model import CartOwner, CartQuery, CartStatus, CartVariant
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.identity.model import NewUser
from avthrift.domain.shared.errors import ConflictError
from avthrift.domain.shared.pagination import InvalidPageError, PageRequest
from tests.conftest import migrated_database
from tests.fakes import FakeCartRepository

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
GUEST = CartOwner.guest("g" * 32)
OTHER_GUEST = CartOwner.guest("h" * 64)


@dataclass
class Carts:
    repo: CartRepository
    new_user: Callable[[], Awaitable[int]]
    # (price, sellable product, sellable variant) -> variant id
    new_variant: Callable[[str | None, bool, bool], Awaitable[int]]

    async def variant(
        self, price: str | None = "10.00", *, published: bool = True, active: bool = True
    ) -> CartVariant:
        variant_id = await self.new_variant(price, published, active)
        return (await self.repo.variants([variant_id]))[variant_id]


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def store_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    if request.param == "fake":
        yield None
        return
    yield from migrated_database(request.param, request, tmp_path)


def _users(session: AsyncSession) -> Callable[[], Awaitable[int]]:
    users = SqlAlchemyUserRepository(session)
    names = itertools.count(1)

    async def new_user() -> int:
        number = next(names)
        user = await users.add(
            NewUser(
                username=f"cart{number}",
                email=f"cart{number}@example.com",
                password_hash="h",
                date_joined=NOW,
            )
        )
        return user.id

    return new_user


@pytest.fixture
async def carts(store_database: str | None) -> AsyncIterator[Carts]:
    if store_database is None:
        fake = FakeCartRepository(users=set())
        ids = itertools.count(1)

        async def new_fake_user() -> int:
            user_id = next(ids)
            assert fake.users is not None
            fake.users.add(user_id)
            return user_id

        async def new_fake_variant(price: str | None, published: bool, active: bool) -> int:
            variant_id = next(ids)
            fake.add_variant(
                CartVariant(
                    id=variant_id,
                    price=None if price is None else Decimal(price),
                    sellable=published and active,
                    product_title="Denim jacket",
                    sku=f"SKU-{variant_id}",
                )
            )
            return variant_id

        yield Carts(fake, new_fake_user, new_fake_variant)
        return
    engine = create_engine(store_database)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        numbers = itertools.count(1)

        async def new_variant(price: str | None, published: bool, active: bool) -> int:
            # On the repository's own session: SQLite lets one writer at a time.
            product = await session.scalar(
                insert(ProductRow)
                .values(
                    title="Denim jacket",
                    slug=f"jacket-{next(numbers)}",
                    status="published" if published else "draft",
                )
                .returning(ProductRow.id)
            )
            variant: int | None = await session.scalar(
                insert(VariantRow)
                .values(
                    product_id=product,
                    sku=f"SKU-{next(numbers)}",
                    price=None if price is None else Decimal(price),
                    status="active" if active else "inactive",
                )
                .returning(VariantRow.id)
            )
            assert variant is not None
            return variant

        yield Carts(SqlAlchemyCartRepository(session), _users(session), new_variant)
        await session.rollback()
    await engine.dispose()


async def test_no_active_cart_reads_as_none_and_writes_nothing(carts: Carts) -> None:
    ann = await carts.new_user()
    assert await carts.repo.active(CartOwner.user(ann)) is None
    assert await carts.repo.active(GUEST, lock=False) is None
    assert (await carts.repo.search(CartQuery())).total == 0


async def test_fetch_or_create_makes_one_cart_per_owner(carts: Carts) -> None:
    ann, bob = await carts.new_user(), await carts.new_user()
    created = await carts.repo.fetch_or_create(CartOwner.user(ann), now=NOW)
    assert (created.owner, created.status, created.lines, created.lines_changed_at) == (
        CartOwner.user(ann),
        CartStatus.ACTIVE,
        (),
        NOW,
    )
    again = await carts.repo.fetch_or_create(CartOwner.user(ann), now=NOW + timedelta(hours=1))
    assert (again.id, again.lines_changed_at) == (created.id, NOW)
    assert await carts.repo.active(CartOwner.user(ann)) == again
    ids = {
        created.id,
        (await carts.repo.fetch_or_create(CartOwner.user(bob), now=NOW)).id,
        (await carts.repo.fetch_or_create(GUEST, now=NOW)).id,
        (await carts.repo.fetch_or_create(OTHER_GUEST, now=NOW)).id,
    }
    assert len(ids) == 4
    assert (await carts.repo.fetch_or_create(GUEST, now=NOW)).owner == GUEST


async def test_fetch_or_create_keeps_working_on_one_connection(carts: Carts) -> None:
    # PostgreSQL switches a prepared statement to a generic plan after a few runs: the ON CONFLICT
    # target must still match the partial unique index then.
    owners = [CartOwner.guest(f"{number:040d}") for number in range(12)]
    created = [await carts.repo.fetch_or_create(owner, now=NOW) for owner in owners]
    assert len({cart.id for cart in created}) == 12
    assert [(await carts.repo.fetch_or_create(owner, now=NOW)).id for owner in owners] == [
        c.id for c in created
    ]


async def test_fetch_or_create_for_an_unknown_user_conflicts(carts: Carts) -> None:
    with pytest.raises(ConflictError):
        await carts.repo.fetch_or_create(CartOwner.user(424242), now=NOW)


async def test_an_ended_cart_is_kept_and_the_next_one_is_new(carts: Carts) -> None:
    ann = await carts.new_user()
    owner = CartOwner.user(ann)
    old = await carts.repo.fetch_or_create(owner, now=NOW)
    later = NOW + timedelta(minutes=5)
    await carts.repo.mark(old.id, lines_changed_at=later, status=CartStatus.ABANDONED)
    assert await carts.repo.active(owner) is None
    stored = await carts.repo.get(old.id)
    assert stored is not None
    assert (stored.status, stored.lines_changed_at) == (CartStatus.ABANDONED, later)
    fresh = await carts.repo.fetch_or_create(owner, now=later)
    assert fresh.id != old.id
    await carts.repo.mark(fresh.id, lines_changed_at=later, status=CartStatus.ORDERED)
    assert (await carts.repo.fetch_or_create(owner, now=later)).id not in (old.id, fresh.id)


async def test_variants_tell_what_is_on_sale(carts: Carts) -> None:
    on_sale = await carts.variant("12.50")
    free = await carts.variant(None)
    draft = await carts.variant(published=False)
    inactive = await carts.variant(active=False)
    assert (on_sale.sellable, on_sale.price, on_sale.unit_price, on_sale.product_title) == (
        True,
        Decimal("12.50"),
        Decimal("12.50"),
        "Denim jacket",
    )
    assert (free.sellable, free.price, free.unit_price) == (True, None, Decimal("0.00"))
    assert (draft.sellable, inactive.sellable) == (False, False)
    found = await carts.repo.variants([on_sale.id, draft.id, 424242, 2**63, 2**80, 0, -1])
    assert set(found) == {on_sale.id, draft.id}
    assert found[on_sale.id].sku == on_sale.sku


async def test_lines_are_added_updated_deleted_and_read_in_id_order(carts: Carts) -> None:
    cart = await carts.repo.fetch_or_create(GUEST, now=NOW)
    other = await carts.repo.fetch_or_create(OTHER_GUEST, now=NOW)
    jacket, scarf = await carts.variant("20.00"), await carts.variant("5.00")
    first = await carts.repo.add_line(cart.id, scarf, 2, Decimal("5.00"), None)
    second = await carts.repo.add_line(cart.id, jacket, 1, Decimal("20.00"), None)
    foreign = await carts.repo.add_line(other.id, jacket, 3, Decimal("20.00"), None)
    assert (first.product_title, first.variant_sku, first.line_total) == (
        "Denim jacket",
        scarf.sku,
        Decimal("10.00"),
    )
    stored = await carts.repo.active(GUEST)
    assert stored is not None
    assert stored.lines == (first, second)
    assert stored.line_for(jacket.id) == second

    changed = type(second)(
        id=second.id,
        variant_id=jacket.id,
        quantity=4,
        unit_price=Decimal("18.00"),
        reservation_id=None,
        product_title=second.product_title,
        variant_sku=second.variant_sku,
    )
    await carts.repo.update_line(cart.id, changed)
    await carts.repo.update_line(other.id, changed)  # not a line of that cart: nothing happens
    await carts.repo.delete_lines(other.id, [first.id])  # not a line of that cart: nothing happens
    stored = await carts.repo.get(cart.id)
    assert stored is not None
    assert stored.lines == (first, changed)

    await carts.repo.delete_lines(cart.id, [first.id])
    stored = await carts.repo.get(cart.id, lock=True)
    assert stored is not None
    assert stored.lines == (changed,)
    other_cart = await carts.repo.get(other.id)
    assert other_cart is not None
    assert other_cart.lines == (foreign,)

    await carts.repo.delete(cart.id)
    assert await carts.repo.get(cart.id) is None
    assert await carts.repo.active(GUEST) is None
    assert await carts.repo.get(2**70) is None
    with pytest.raises(ConflictError):  # one line per variant (last: PostgreSQL ends the transaction)
        await carts.repo.add_line(other.id, jacket, 1, Decimal("20.00"), None)


async def test_search_filters_pages_and_sums(carts: Carts) -> None:
    ann, bob = await carts.new_user(), await carts.new_user()
    jacket = await carts.variant("20.00")
    old = await carts.repo.fetch_or_create(CartOwner.user(ann), now=NOW)
    await carts.repo.add_line(old.id, jacket, 2, Decimal("19.99"), None)
    await carts.repo.mark(old.id, lines_changed_at=NOW, status=CartStatus.ABANDONED)
    current = await carts.repo.fetch_or_create(CartOwner.user(ann), now=NOW)
    bobs = await carts.repo.fetch_or_create(CartOwner.user(bob), now=NOW)
    guest = await carts.repo.fetch_or_create(GUEST, now=NOW)
    await carts.repo.add_line(guest.id, jacket, 3, Decimal("20.00"), None)

    every = await carts.repo.search(CartQuery())
    assert [summary.id for summary in every.items] == [guest.id, bobs.id, current.id, old.id]
    summaries = {summary.id: summary for summary in every.items}
    assert (summaries[old.id].line_count, summaries[old.id].item_count, summaries[old.id].subtotal) == (
        1,
        2,
        Decimal("39.98"),
    )
    assert (summaries[guest.id].owner, summaries[guest.id].subtotal) == (GUEST, Decimal("60.00"))
    assert summaries[current.id].subtotal == Decimal("0.00")

    async def ids(**query: object) -> list[int]:
        return [summary.id for summary in (await carts.repo.search(CartQuery(**query))).items]  # type: ignore[arg-type]

    assert await ids(user_id=ann) == [current.id, old.id]
    assert await ids(user_id=ann, status=CartStatus.ACTIVE) == [current.id]
    assert await ids(status=CartStatus.ABANDONED) == [old.id]
    assert await ids(user_id=2**70) == []
    page = await carts.repo.search(CartQuery(page=PageRequest(number=2, size=3)))
    assert ([summary.id for summary in page.items], page.total) == ([old.id], 4)
    with pytest.raises(InvalidPageError):
        await carts.repo.search(CartQuery(page=PageRequest(number=3, size=3)))


async def test_stale_lists_active_carts_changed_before_the_cutoff(carts: Carts) -> None:
    ann = await carts.new_user()
    stale_guest = await carts.repo.fetch_or_create(GUEST, now=NOW - timedelta(hours=3))
    stale_user = await carts.repo.fetch_or_create(CartOwner.user(ann), now=NOW - timedelta(hours=5))
    fresh = await carts.repo.fetch_or_create(OTHER_GUEST, now=NOW - timedelta(hours=5))
    await carts.repo.mark(fresh.id, lines_changed_at=NOW)  # created long ago, changed just now
    ended = await carts.repo.fetch_or_create(CartOwner.guest("e" * 40), now=NOW - timedelta(hours=5))
    await carts.repo.mark(ended.id, lines_changed_at=NOW - timedelta(hours=5), status=CartStatus.ABANDONED)

    cutoff = NOW - timedelta(hours=2)
    assert await carts.repo.stale(cutoff, limit=10) == (stale_guest.id, stale_user.id)
    assert await carts.repo.stale(cutoff, limit=1) == (stale_guest.id,)
    assert await carts.repo.stale(cutoff, after_id=stale_guest.id, limit=10) == (stale_user.id,)
    assert await carts.repo.stale(NOW - timedelta(hours=4), limit=10) == (stale_user.id,)


# --- only a database can show these ---------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from migrated_database(request.param, request, tmp_path)


async def test_simultaneous_first_reads_share_one_cart(database: str) -> None:
    engine = create_engine(database)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as setup:
            ann = await _users(setup)()
            await setup.commit()

        async def first_read(owner: CartOwner) -> int:
            async with sessions() as session:
                cart = await SqlAlchemyCartRepository(session).fetch_or_create(owner, now=NOW)
                await asyncio.sleep(0.05)  # hold the transaction open while the others insert
                await session.commit()
                return cart.id

        for owner in (CartOwner.user(ann), GUEST):
            ids = await asyncio.gather(*(first_read(owner) for _ in range(8)))
            assert len(set(ids)) == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite serialises whole transactions
async def test_a_locked_cart_waits_for_the_lock_holder(database: str) -> None:
    engine = create_engine(database)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as first, sessions() as second, sessions() as reader:
            cart = await SqlAlchemyCartRepository(first).fetch_or_create(GUEST, now=NOW)
            await first.commit()
            assert await SqlAlchemyCartRepository(first).active(GUEST, lock=True) is not None
            waiting = asyncio.create_task(SqlAlchemyCartRepository(second).active(GUEST, lock=True))
            await asyncio.sleep(0.2)
            assert not waiting.done()
            unlocked = await asyncio.wait_for(SqlAlchemyCartRepository(reader).get(cart.id), 1)
            assert unlocked is not None  # a read without the lock does not wait
            await SqlAlchemyCartRepository(first).mark(
                cart.id, lines_changed_at=NOW, status=CartStatus.ABANDONED
            )
            await first.commit()
            # The waiter re-checks the row once it has the lock: no longer active.
            assert await asyncio.wait_for(waiting, 5) is None
            await second.rollback()
    finally:
        await engine.dispose()
