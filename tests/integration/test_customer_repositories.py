"""What only the SQL customer repositories can show, on both engines: concurrent first reads of a
profile, the foreign keys behind addresses and profiles, ids beyond what the columns hold."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.customers import (
    SqlAlchemyAddressRepository,
    SqlAlchemyContactPhones,
    SqlAlchemyCustomerProfileRepository,
)
from avthrift.adapters.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from avthrift.adapters.sqlalchemy.rows.customers import AddressRow, CustomerProfileRow
from avthrift.adapters.sqlalchemy.rows.identity import UserRow
from avthrift.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from avthrift.domain.customers.model import AddressFields, ProfileChanges
from avthrift.domain.customers.use_cases import GetProfile, UpdateProfile
from avthrift.domain.identity.model import NewUser

HUGE_IDS = [2**63, 2**64 + 5, 10**30]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def new_user(engine: AsyncEngine) -> int:
    tag = uuid.uuid4().hex[:10]
    async with sessions(engine)() as session:
        user = await SqlAlchemyUserRepository(session).add(
            NewUser(
                username=f"u{tag}",
                email=f"u{tag}@example.com",
                password_hash="h",
                date_joined=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        await session.commit()
    return user.id


async def get_profile(engine: AsyncEngine, user_id: int) -> int:
    async with sessions(engine)() as session:
        found = await GetProfile(
            SqlAlchemyUnitOfWork(session),
            SqlAlchemyCustomerProfileRepository(session),
            SqlAlchemyAddressRepository(session),
            SqlAlchemyContactPhones(session),
        )(user_id)
    return found.profile.id


async def test_concurrent_first_reads_create_one_profile(engine: AsyncEngine) -> None:
    user_id = await new_user(engine)
    ids = await asyncio.gather(*(get_profile(engine, user_id) for _ in range(8)))
    assert len(set(ids)) == 1
    async with sessions(engine)() as session:
        rows = (
            await session.scalars(select(CustomerProfileRow.id).where(CustomerProfileRow.user_id == user_id))
        ).all()
    assert rows == [ids[0]]


async def test_deleting_an_address_row_unsets_the_defaults_by_foreign_key(engine: AsyncEngine) -> None:
    user_id = await new_user(engine)
    async with sessions(engine)() as session:
        address = await SqlAlchemyAddressRepository(session).add(
            user_id, AddressFields(addr1="1 Marina Rd", city="Lagos")
        )
        await session.commit()
    async with sessions(engine)() as session:
        await UpdateProfile(
            SqlAlchemyUnitOfWork(session),
            SqlAlchemyCustomerProfileRepository(session),
            SqlAlchemyAddressRepository(session),
            SqlAlchemyContactPhones(session),
        )(
            user_id,
            ProfileChanges(default_shipping_address_id=address.id, default_billing_address_id=address.id),
        )
    async with sessions(engine)() as session:
        await session.execute(delete(AddressRow).where(AddressRow.id == address.id))
        await session.commit()
        profile = await SqlAlchemyCustomerProfileRepository(session).get_or_create(user_id)
    assert (profile.default_shipping_address_id, profile.default_billing_address_id) == (None, None)


async def test_deleting_a_user_deletes_their_addresses_and_profile(engine: AsyncEngine) -> None:
    user_id = await new_user(engine)
    async with sessions(engine)() as session:
        await SqlAlchemyAddressRepository(session).add(
            user_id, AddressFields(addr1="1 Marina Rd", city="Lagos")
        )
        await SqlAlchemyCustomerProfileRepository(session).get_or_create(user_id)
        await session.commit()
        await session.execute(delete(UserRow).where(UserRow.id == user_id))
        await session.commit()
        addresses = await session.scalar(select(AddressRow.id).where(AddressRow.user_id == user_id))
        profiles = await session.scalar(
            select(CustomerProfileRow.id).where(CustomerProfileRow.user_id == user_id)
        )
    assert (addresses, profiles) == (None, None)


@pytest.mark.parametrize("address_id", HUGE_IDS)
async def test_ids_no_column_can_hold_name_nothing(engine: AsyncEngine, address_id: int) -> None:
    user_id = await new_user(engine)
    async with sessions(engine)() as session:
        addresses = SqlAlchemyAddressRepository(session)
        assert await addresses.get(user_id, address_id) is None
        assert not await addresses.delete(user_id, address_id)
        await SqlAlchemyCustomerProfileRepository(session).clear_default(user_id, address_id)
