"""One contract for the customers ports (AddressRepository, CustomerProfileRepository,
ContactPhones), run on the fakes and on SQL (both engines)."""

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.customers import (
    SqlAlchemyAddressRepository,
    SqlAlchemyContactPhones,
    SqlAlchemyCustomerProfileRepository,
)
from avthrift.adapters.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from avthrift.domain.customers.model import Address, AddressFields, AddressQuery
from avthrift.domain.customers.ports import AddressRepository, ContactPhones, CustomerProfileRepository
from avthrift.domain.identity.model import NewUser
from avthrift.domain.shared.errors import ConflictError, NotFoundError
from avthrift.domain.shared.pagination import InvalidPageError, PageRequest, SortKey
from tests.conftest import migrated_database
from tests.fakes import FakeAddressRepository, FakeContactPhones, FakeCustomerProfileRepository


@dataclass
class Stores:
    addresses: AddressRepository
    profiles: CustomerProfileRepository
    phones: ContactPhones
    new_user: Callable[[str | None], Awaitable[int]]


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def store_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    if request.param == "fake":
        yield None
        return
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def stores(store_database: str | None) -> AsyncIterator[Stores]:
    if store_database is None:
        phones = FakeContactPhones()
        profiles = FakeCustomerProfileRepository(known_users=set())
        ids = itertools.count(1)

        async def new_fake_user(phone: str | None) -> int:
            user_id = next(ids)
            phones.phones[user_id] = phone
            assert profiles.known_users is not None
            profiles.known_users.add(user_id)
            return user_id

        yield Stores(FakeAddressRepository(), profiles, phones, new_fake_user)
        return
    engine = create_engine(store_database)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        users = SqlAlchemyUserRepository(session)
        names = itertools.count(1)

        async def new_user(phone: str | None) -> int:
            number = next(names)
            user = await users.add(
                NewUser(
                    username=f"user{number}",
                    email=f"user{number}@example.com",
                    password_hash="h",
                    date_joined=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
            if phone is not None:
                user.phone = phone
                await users.update(user)
            return user.id

        yield Stores(
            SqlAlchemyAddressRepository(session),
            SqlAlchemyCustomerProfileRepository(session),
            SqlAlchemyContactPhones(session),
            new_user,
        )
        await session.rollback()
    await engine.dispose()


def fields(**overrides: str | None) -> AddressFields:
    values: dict[str, str | None] = {"addr1": "1 Marina Rd", "city": "Lagos", "postal_code": "101001"}
    return AddressFields(**(values | overrides))


async def ids_of(stores: Stores, user_id: int, **query: object) -> list[int]:
    page = await stores.addresses.search(user_id, AddressQuery(**query))
    return [address.id for address in page.items]


async def test_an_address_is_found_only_by_its_owner(stores: Stores) -> None:
    ann, bob = await stores.new_user(None), await stores.new_user(None)
    details = fields(name="Home", addr2="Flat 2", state="LA", phone="+2348012345678", country_code="NG")
    added = await stores.addresses.add(ann, details)
    assert added == Address(id=added.id, user_id=ann, details=details)
    assert await stores.addresses.get(ann, added.id) == added
    assert await stores.addresses.get(bob, added.id) is None
    assert await stores.addresses.get(ann, added.id + 1000) is None


async def test_duplicates_conflict_only_with_a_postal_code_and_the_same_owner(stores: Stores) -> None:
    ann, bob = await stores.new_user(None), await stores.new_user(None)
    await stores.addresses.add(ann, fields())
    await stores.addresses.add(bob, fields())
    await stores.addresses.add(ann, fields(postal_code=None))
    await stores.addresses.add(ann, fields(postal_code=None))
    await stores.addresses.add(ann, fields(country_code="GH"))
    assert len(await ids_of(stores, ann)) == 4
    with pytest.raises(ConflictError):
        await stores.addresses.add(ann, fields(name="Same place", phone="+2348012345678"))


async def test_update_writes_every_field_back(stores: Stores) -> None:
    ann = await stores.new_user(None)
    added = await stores.addresses.add(ann, fields(state="LA"))
    changed = Address(id=added.id, user_id=ann, details=fields(addr1="2 Broad St", state=None, phone="123"))
    await stores.addresses.update(changed)
    assert await stores.addresses.get(ann, added.id) == changed


async def test_update_into_a_duplicate_conflicts(stores: Stores) -> None:
    ann = await stores.new_user(None)
    await stores.addresses.add(ann, fields())
    other = await stores.addresses.add(ann, fields(addr1="2 Broad St"))
    with pytest.raises(ConflictError):
        await stores.addresses.update(Address(id=other.id, user_id=ann, details=fields()))


async def test_delete_removes_only_an_own_address(stores: Stores) -> None:
    ann, bob = await stores.new_user(None), await stores.new_user(None)
    added = await stores.addresses.add(ann, fields())
    assert not await stores.addresses.delete(bob, added.id)
    assert await stores.addresses.get(ann, added.id) == added
    assert await stores.addresses.delete(ann, added.id)
    assert await stores.addresses.get(ann, added.id) is None
    assert not await stores.addresses.delete(ann, added.id)


async def test_search_filters_matches_orders_and_pages(stores: Stores) -> None:
    ann, bob = await stores.new_user(None), await stores.new_user(None)
    home = await stores.addresses.add(ann, fields(name="Home", state="LA"))
    office = await stores.addresses.add(ann, fields(name="Office 100%", addr1="9 Broad_St", state=None))
    accra = await stores.addresses.add(
        ann, fields(city="Accra", postal_code="GA-1", country_code="GH", state="AA")
    )
    await stores.addresses.add(bob, fields(name="Home"))

    assert await ids_of(stores, ann) == [accra.id, office.id, home.id]
    assert await ids_of(stores, ann, city="Lagos", ordering=(SortKey("id"),)) == [home.id, office.id]
    assert await ids_of(stores, ann, city="LAGOS") == []
    assert await ids_of(stores, ann, state="AA") == [accra.id]
    assert await ids_of(stores, ann, country_code="GH", city="Lagos") == []
    assert await ids_of(stores, ann, search=("HOME",)) == [home.id]
    assert await ids_of(stores, ann, search=("lagos", "101001"), ordering=(SortKey("id"),)) == [
        home.id,
        office.id,
    ]
    assert await ids_of(stores, ann, search=("ga-1", "accra")) == [accra.id]
    assert await ids_of(stores, ann, search=("100%",)) == [office.id]
    assert await ids_of(stores, ann, search=("0%",)) == [office.id]
    assert await ids_of(stores, ann, search=("d_s",)) == [office.id]
    assert await ids_of(stores, ann, search=("9_broad",)) == []
    assert await ids_of(stores, ann, search=("home", "office")) == []
    by_state = (SortKey("state"), SortKey("id"))
    assert await ids_of(stores, ann, ordering=by_state) == [accra.id, home.id, office.id]
    by_state_desc = (SortKey("state", descending=True), SortKey("id"))
    assert await ids_of(stores, ann, ordering=by_state_desc) == [office.id, home.id, accra.id]
    by_city_desc = (SortKey("city", descending=True), SortKey("id", descending=True))
    assert await ids_of(stores, ann, ordering=by_city_desc) == [office.id, home.id, accra.id]

    page = await stores.addresses.search(ann, AddressQuery(page=PageRequest(number=2, size=2)))
    assert ([address.id for address in page.items], page.total) == ([home.id], 3)
    with pytest.raises(InvalidPageError):
        await stores.addresses.search(ann, AddressQuery(page=PageRequest(number=3, size=2)))


async def test_the_latest_change_comes_first_by_default(stores: Stores) -> None:
    ann = await stores.new_user(None)
    first = await stores.addresses.add(ann, fields())
    second = await stores.addresses.add(ann, fields(addr1="2 Broad St"))
    assert await ids_of(stores, ann) == [second.id, first.id]
    await stores.addresses.update(Address(id=first.id, user_id=ann, details=fields(name="Renamed")))
    assert await ids_of(stores, ann) == [first.id, second.id]


async def test_a_profile_is_created_once_per_user(stores: Stores) -> None:
    ann, bob = await stores.new_user(None), await stores.new_user(None)
    created = await stores.profiles.get_or_create(ann)
    assert (created.user_id, created.email_opt_in, created.sms_opt_in) == (ann, False, False)
    assert (created.default_shipping_address_id, created.default_billing_address_id) == (None, None)
    assert await stores.profiles.get_or_create(ann) == created
    assert (await stores.profiles.get_or_create(bob)).id != created.id


async def test_a_profile_of_an_unknown_user_is_not_found(stores: Stores) -> None:
    with pytest.raises(NotFoundError):
        await stores.profiles.get_or_create(424242)


async def test_profile_updates_and_cleared_defaults_are_stored(stores: Stores) -> None:
    ann = await stores.new_user(None)
    home = await stores.addresses.add(ann, fields())
    office = await stores.addresses.add(ann, fields(addr1="9 Broad St"))
    profile = await stores.profiles.get_or_create(ann)
    profile.email_opt_in, profile.sms_opt_in = True, True
    profile.default_shipping_address_id, profile.default_billing_address_id = home.id, office.id
    await stores.profiles.update(profile)
    assert await stores.profiles.get_or_create(ann) == profile
    await stores.profiles.clear_default(ann, home.id)
    stored = await stores.profiles.get_or_create(ann)
    assert (stored.default_shipping_address_id, stored.default_billing_address_id) == (None, office.id)
    assert (stored.email_opt_in, stored.sms_opt_in) == (True, True)


async def test_contact_phones_are_the_account_phones(stores: Stores) -> None:
    ann, bob = await stores.new_user("+2348012345678"), await stores.new_user(None)
    assert await stores.phones.of_user(ann) == "+2348012345678"
    assert await stores.phones.of_user(bob) is None
    assert await stores.phones.of_user(424242) is None
