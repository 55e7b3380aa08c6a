"""Customer profile and address-book use cases against in-memory fakes (reference §1.4, contract §4)."""

from dataclasses import dataclass

import pytest

from avthrift.domain.customers import use_cases
from avthrift.domain.customers.errors import AddressExistsError, InvalidDefaultAddressError
from avthrift.domain.customers.model import (
    UNCHANGED,
    AddressChanges,
    AddressFields,
    ProfileChanges,
)
from avthrift.domain.shared.errors import InvalidInputError, NotFoundError
from avthrift.domain.shared.pagination import InvalidPageError, PageRequest
from tests.fakes import (
    FakeAddressRepository,
    FakeContactPhones,
    FakeCustomerProfileRepository,
    FakeUnitOfWork,
)

ANN, BOB = 1, 2


@dataclass
class Customers:
    uow: FakeUnitOfWork
    addresses: FakeAddressRepository
    profiles: FakeCustomerProfileRepository
    phones: FakeContactPhones

    def create(self) -> use_cases.CreateAddress:
        return use_cases.CreateAddress(self.uow, self.addresses, self.phones)

    def get(self) -> use_cases.GetAddress:
        return use_cases.GetAddress(self.uow, self.addresses, self.phones)

    def update(self) -> use_cases.UpdateAddress:
        return use_cases.UpdateAddress(self.uow, self.addresses, self.phones)

    def delete(self) -> use_cases.DeleteAddress:
        return use_cases.DeleteAddress(self.uow, self.addresses, self.profiles)

    def list(self) -> use_cases.ListAddresses:
        return use_cases.ListAddresses(self.uow, self.addresses, self.phones)

    def get_profile(self) -> use_cases.GetProfile:
        return use_cases.GetProfile(self.uow, self.profiles, self.addresses, self.phones)

    def update_profile(self) -> use_cases.UpdateProfile:
        return use_cases.UpdateProfile(self.uow, self.profiles, self.addresses, self.phones)


@pytest.fixture
def customers() -> Customers:
    return Customers(
        FakeUnitOfWork(),
        FakeAddressRepository(),
        FakeCustomerProfileRepository(known_users={ANN, BOB}),
        FakeContactPhones({ANN: "+2348011111111", BOB: None}),
    )


def fields(**overrides: str | None) -> AddressFields:
    values: dict[str, str | None] = {"addr1": "1 Marina Rd", "city": "Lagos", "postal_code": "101001"}
    return AddressFields(**(values | overrides))


# --- validation -------------------------------------------------------------------------------


def test_clean_trims_and_stores_blank_optional_codes_as_null() -> None:
    cleaned = AddressFields(
        name="  Home ",
        addr1=" 1 Marina Rd ",
        city=" Lagos",
        state="  ",
        postal_code="",
        phone=" +2348012345678 ",
    ).clean()
    assert cleaned == AddressFields(
        name="Home", addr1="1 Marina Rd", city="Lagos", state=None, postal_code=None, phone="+2348012345678"
    )
    assert cleaned.country_code == "NG"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("addr1", "   ", "This field may not be blank."),
        ("city", "", "This field may not be blank."),
        ("name", "x" * 121, "Ensure this field has no more than 120 characters."),
        ("addr2", "x" * 121, "Ensure this field has no more than 120 characters."),
        ("city", "x" * 81, "Ensure this field has no more than 80 characters."),
        ("state", "x" * 41, "Ensure this field has no more than 40 characters."),
        ("postal_code", "10-001/A", "Use standard alphanumeric postal/zip code"),
        ("postal_code", "1" * 13, "Ensure this field has no more than 12 characters."),
        ("country_code", "ng", "Use ISO 3166-1 alpha-2 country code (e.g., US)"),
        ("country_code", "N1", "Use ISO 3166-1 alpha-2 country code (e.g., US)"),
        ("country_code", "", "This field may not be blank."),
        ("phone", "08012345678", "Use E.164 format (e.g., +14155552671)"),
        ("phone", "+1", "Use E.164 format (e.g., +14155552671)"),
        ("phone", "+1 415 555 2671", "Use E.164 format (e.g., +14155552671)"),
        ("name", "a\x00b", "Null characters are not allowed."),
    ],
)
def test_each_rule_names_its_field_with_the_reference_message(field: str, value: str, reason: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        fields(**{field: value}).clean()
    assert caught.value.detail == reason
    assert caught.value.extra == {"invalid_params": [{"name": field, "reason": reason}]}


@pytest.mark.parametrize("phone", ["14155552671", "+14155552671", "+12", "+123456789012345"])
def test_e164_phones_with_or_without_plus_are_accepted(phone: str) -> None:
    assert fields(phone=phone).clean().phone == phone


@pytest.mark.parametrize("postal_code", ["SW1A 1AA", "10001-1234", "a"])
def test_alphanumeric_postal_codes_are_accepted(postal_code: str) -> None:
    assert fields(postal_code=postal_code).clean().postal_code == postal_code


def test_every_invalid_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidInputError) as caught:
        fields(addr1="", country_code="us").clean()
    assert caught.value.detail == "Some fields are invalid."
    assert [param["name"] for param in caught.value.extra["invalid_params"]] == ["addr1", "country_code"]


# --- addresses --------------------------------------------------------------------------------


async def test_create_stores_the_cleaned_address_and_commits(customers: Customers) -> None:
    created = await customers.create()(ANN, fields(city=" Lagos ", phone="+2348022222222"))
    assert created.address.details.city == "Lagos"
    assert created.address.user_id == ANN
    assert created.contact_phone == "+2348022222222"
    assert customers.addresses.rows[created.address.id] == created.address
    assert customers.uow.commits == 1


async def test_contact_phone_falls_back_to_the_account_phone_without_any_profile(
    customers: Customers,
) -> None:
    ann = await customers.create()(ANN, fields())
    bob = await customers.create()(BOB, fields())
    assert customers.profiles.rows == {}
    assert ann.contact_phone == "+2348011111111"
    assert bob.contact_phone is None


async def test_a_duplicate_address_is_address_exists(customers: Customers) -> None:
    await customers.create()(ANN, fields())
    with pytest.raises(AddressExistsError) as caught:
        await customers.create()(ANN, fields(name="Other label", phone="+2348033333333"))
    assert caught.value.code == "address_exists"
    assert len(customers.addresses.rows) == 1
    assert customers.uow.commits == 1


async def test_duplicates_need_the_same_user_and_a_postal_code(customers: Customers) -> None:
    await customers.create()(ANN, fields())
    await customers.create()(BOB, fields())
    await customers.create()(ANN, fields(postal_code=None))
    await customers.create()(ANN, fields(postal_code=""))
    await customers.create()(ANN, fields(country_code="GH"))
    assert len(customers.addresses.rows) == 5


async def test_invalid_input_stores_nothing(customers: Customers) -> None:
    with pytest.raises(InvalidInputError):
        await customers.create()(ANN, fields(country_code="ng"))
    assert customers.addresses.rows == {}
    assert customers.uow.commits == 0


async def test_another_users_address_is_not_found_like_a_missing_one(customers: Customers) -> None:
    address = (await customers.create()(ANN, fields())).address
    for call in (
        customers.get()(BOB, address.id),
        customers.update()(BOB, address.id, AddressChanges(city="Abuja")),
        customers.delete()(BOB, address.id),
        customers.get()(BOB, 999),
    ):
        with pytest.raises(NotFoundError) as caught:
            await call
        assert caught.value.detail == "Not found."
    assert customers.addresses.rows[address.id] == address


async def test_update_changes_only_the_given_fields(customers: Customers) -> None:
    address = (await customers.create()(ANN, fields(name="Home", state="Lagos State"))).address
    updated = await customers.update()(ANN, address.id, AddressChanges(city=" Ikeja ", state=None))
    assert updated.address.details == fields(name="Home", city="Ikeja", state=None)
    assert customers.addresses.rows[address.id] == updated.address
    assert customers.uow.commits == 2


async def test_update_validates_the_result_and_refuses_duplicates(customers: Customers) -> None:
    first = (await customers.create()(ANN, fields())).address
    second = (await customers.create()(ANN, fields(addr1="2 Marina Rd"))).address
    with pytest.raises(InvalidInputError) as caught:
        await customers.update()(ANN, first.id, AddressChanges(phone="12ab"))
    assert caught.value.detail == "Use E.164 format (e.g., +14155552671)"
    with pytest.raises(AddressExistsError):
        await customers.update()(ANN, second.id, AddressChanges(addr1="1 Marina Rd"))
    assert customers.addresses.rows[second.id] == second


async def test_delete_unsets_the_profile_defaults_that_pointed_at_it(customers: Customers) -> None:
    home = (await customers.create()(ANN, fields())).address
    office = (await customers.create()(ANN, fields(addr1="9 Broad St"))).address
    await customers.update_profile()(
        ANN, ProfileChanges(default_shipping_address_id=home.id, default_billing_address_id=office.id)
    )
    await customers.delete()(ANN, home.id)
    assert home.id not in customers.addresses.rows
    profile = customers.profiles.rows[ANN]
    assert profile.default_shipping_address_id is None
    assert profile.default_billing_address_id == office.id


async def test_delete_of_a_missing_address_commits_nothing(customers: Customers) -> None:
    with pytest.raises(NotFoundError):
        await customers.delete()(ANN, 42)
    assert customers.uow.commits == 0


# --- listing ----------------------------------------------------------------------------------


async def add_book(customers: Customers) -> dict[str, int]:
    book = {
        "home": fields(name="Home", addr1="1 Marina Rd", city="Lagos", state="LA", postal_code="101001"),
        "office": fields(name="Office", addr1="9 Broad St", city="Lagos", state="LA", postal_code="101002"),
        "mum": fields(name="Mum", addr1="3 Ring Rd", city="Ibadan", state="OY", postal_code=None),
        "accra": fields(
            name="Cousin",
            addr1="5 Osu Ave",
            city="Accra",
            state=None,
            postal_code="GA-123",
            country_code="GH",
        ),
    }
    ids = {key: (await customers.create()(ANN, value)).address.id for key, value in book.items()}
    await customers.create()(BOB, fields(name="Home", city="Lagos"))
    return ids


async def listed(customers: Customers, **query: object) -> list[int]:
    page = await customers.list()(ANN, **query)
    return [item.address.id for item in page.items]


async def test_the_list_shows_only_own_addresses_newest_change_first(customers: Customers) -> None:
    ids = await add_book(customers)
    await customers.update()(ANN, ids["office"], AddressChanges(addr2="Floor 2"))
    page = await customers.list()(ANN)
    assert [item.address.id for item in page.items] == [ids["office"], ids["accra"], ids["mum"], ids["home"]]
    assert page.total == 4
    assert all(item.contact_phone == "+2348011111111" for item in page.items)


async def test_filters_are_exact_and_blank_ones_are_ignored(customers: Customers) -> None:
    ids = await add_book(customers)
    assert sorted(await listed(customers, city="Lagos")) == [ids["home"], ids["office"]]
    assert await listed(customers, city="lagos") == []
    assert await listed(customers, state="OY") == [ids["mum"]]
    assert await listed(customers, country_code="GH") == [ids["accra"]]
    assert await listed(customers, city="Lagos", country_code="GH") == []
    assert len(await listed(customers, city="", state="", country_code="")) == 4


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("marina", ["home"]),
        ("LAGOS", ["office", "home"]),
        ("lagos office", ["office"]),
        ("lagos,office", ["office"]),
        ("10100", ["office", "home"]),
        ("ring ibadan", ["mum"]),
        ('"ring rd"', ["mum"]),
        ('"rd ibadan"', []),
        ("cousin accra", ["accra"]),
        ("   ", ["accra", "mum", "office", "home"]),
        ("100%", []),
    ],
)
async def test_search_needs_every_term_somewhere(
    customers: Customers, search: str, expected: list[str]
) -> None:
    ids = await add_book(customers)
    assert await listed(customers, search=search) == [ids[key] for key in expected]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("city", ["accra", "mum", "home", "office"]),
        ("-city,id", ["home", "office", "mum", "accra"]),
        ("-city,-id", ["office", "home", "mum", "accra"]),
        ("state", ["home", "office", "mum", "accra"]),
        ("-state", ["accra", "mum", "home", "office"]),
        ("id", ["home", "office", "mum", "accra"]),
        ("name,title", ["accra", "mum", "office", "home"]),
        ("-name,city", ["accra", "mum", "home", "office"]),
    ],
)
async def test_ordering_uses_the_whitelist(customers: Customers, ordering: str, expected: list[str]) -> None:
    ids = await add_book(customers)
    assert await listed(customers, ordering=ordering) == [ids[key] for key in expected]


async def test_pages_slice_the_list_and_stop_at_the_end(customers: Customers) -> None:
    ids = await add_book(customers)
    first = await customers.list()(ANN, ordering="id", page=PageRequest(number=1, size=3))
    last = await customers.list()(ANN, ordering="id", page=PageRequest(number=2, size=3))
    assert [item.address.id for item in first.items] == [ids["home"], ids["office"], ids["mum"]]
    assert (first.has_previous, first.has_next, first.total) == (False, True, 4)
    assert [item.address.id for item in last.items] == [ids["accra"]]
    assert (last.has_previous, last.has_next) == (True, False)
    with pytest.raises(InvalidPageError) as caught:
        await customers.list()(ANN, page=PageRequest(number=3, size=3))
    assert caught.value.detail == "Invalid page."


async def test_an_empty_list_has_a_first_page(customers: Customers) -> None:
    page = await customers.list()(BOB)
    assert (page.items, page.total) == ((), 0)
    with pytest.raises(InvalidPageError):
        await customers.list()(BOB, page=PageRequest(number=2))


# --- profile ----------------------------------------------------------------------------------


async def test_the_first_read_creates_the_profile_once(customers: Customers) -> None:
    first = await customers.get_profile()(ANN)
    again = await customers.get_profile()(ANN)
    assert first.profile == again.profile
    assert (first.profile.email_opt_in, first.profile.sms_opt_in) == (False, False)
    assert first.profile.default_shipping_address_id is None
    assert list(customers.profiles.rows) == [ANN]
    assert customers.uow.commits == 2


async def test_a_profile_for_a_vanished_user_is_not_found(customers: Customers) -> None:
    with pytest.raises(NotFoundError):
        await customers.get_profile()(99)


async def test_shipping_contact_prefers_the_default_address_phone(customers: Customers) -> None:
    assert (await customers.get_profile()(ANN)).shipping_contact == "+2348011111111"
    assert (await customers.get_profile()(BOB)).shipping_contact is None
    silent = (await customers.create()(ANN, fields(phone=""))).address
    loud = (await customers.create()(ANN, fields(addr1="2 Marina Rd", phone="+2348044444444"))).address
    update = customers.update_profile()
    assert (
        await update(ANN, ProfileChanges(default_shipping_address_id=silent.id))
    ).shipping_contact == "+2348011111111"
    assert (
        await update(ANN, ProfileChanges(default_shipping_address_id=loud.id))
    ).shipping_contact == "+2348044444444"
    assert (await customers.get_profile()(ANN)).shipping_contact == "+2348044444444"


async def test_update_profile_sets_what_it_is_given(customers: Customers) -> None:
    home = (await customers.create()(ANN, fields())).address
    update = customers.update_profile()
    result = await update(ANN, ProfileChanges(email_opt_in=True, default_billing_address_id=home.id))
    assert (result.profile.email_opt_in, result.profile.sms_opt_in) == (True, False)
    assert result.profile.default_billing_address_id == home.id
    result = await update(ANN, ProfileChanges(sms_opt_in=True, default_billing_address_id=UNCHANGED))
    assert (result.profile.email_opt_in, result.profile.sms_opt_in) == (True, True)
    assert result.profile.default_billing_address_id == home.id
    result = await update(ANN, ProfileChanges(default_billing_address_id=None))
    assert result.profile.default_billing_address_id is None
    assert customers.profiles.rows[ANN] == result.profile


async def test_a_default_of_someone_else_is_refused_like_a_missing_one(customers: Customers) -> None:
    bobs = (await customers.create()(BOB, fields())).address
    missing = bobs.id + 1
    errors = []
    for address_id in (bobs.id, missing):
        with pytest.raises(InvalidDefaultAddressError) as caught:
            await customers.update_profile()(ANN, ProfileChanges(default_shipping_address_id=address_id))
        errors.append(caught.value)
    assert [error.code for error in errors] == ["invalid_address", "invalid_address"]
    assert errors[0].detail == f'Invalid pk "{bobs.id}" - object does not exist.'
    assert errors[1].detail == f'Invalid pk "{missing}" - object does not exist.'
    assert errors[0].extra["invalid_params"][0]["name"] == "shipping_address"
    assert customers.profiles.rows[ANN].default_shipping_address_id is None
