"""The signed-in customer's profile and address book (reference §1.4, contract §4).

Every use case acts for one user: an address of anyone else is treated exactly like one that does
not exist (`404 "Not found."`, or the same `400` as an unknown id when named as a default).
"""

from avthrift.domain.customers.errors import AddressExistsError, InvalidDefaultAddressError
from avthrift.domain.customers.model import (
    ADDRESS_ORDERING_FIELDS,
    DEFAULT_ADDRESS_ORDERING,
    UNCHANGED,
    Address,
    AddressChanges,
    AddressFields,
    AddressQuery,
    AddressWithContact,
    CustomerProfile,
    ProfileChanges,
    ProfileWithContact,
    first_phone,
)
from avthrift.domain.customers.ports import AddressRepository, ContactPhones, CustomerProfileRepository
from avthrift.domain.shared.errors import ConflictError, NotFoundError
from avthrift.domain.shared.pagination import (
    FIRST_PAGE,
    Page,
    PageRequest,
    parse_ordering,
    search_terms,
)
from avthrift.domain.shared.ports import UnitOfWork

# Domain field → request field, for the errors a client sees.
_DEFAULT_FIELDS = {
    "default_shipping_address_id": "shipping_address",
    "default_billing_address_id": "billing_address",
}


async def _with_contact(address: Address, phones: ContactPhones) -> AddressWithContact:
    user_phone = None if first_phone(address.details.phone) else await phones.of_user(address.user_id)
    return AddressWithContact(address=address, contact_phone=address.contact_phone(user_phone))


async def _profile_with_contact(
    profile: CustomerProfile, addresses: AddressRepository, phones: ContactPhones
) -> ProfileWithContact:
    """`shipping_contact` falls back to the user's phone with or without a default address."""
    shipping = None
    if profile.default_shipping_address_id is not None:
        shipping = await addresses.get(profile.user_id, profile.default_shipping_address_id)
    address_phone = None if shipping is None else shipping.details.phone
    contact = first_phone(address_phone) or first_phone(await phones.of_user(profile.user_id))
    return ProfileWithContact(profile=profile, shipping_contact=contact)


class GetProfile:
    """Reads the profile, creating it on first use (so this read may write)."""

    def __init__(
        self,
        uow: UnitOfWork,
        profiles: CustomerProfileRepository,
        addresses: AddressRepository,
        phones: ContactPhones,
    ) -> None:
        self._uow, self._profiles, self._addresses, self._phones = uow, profiles, addresses, phones

    async def __call__(self, user_id: int) -> ProfileWithContact:
        async with self._uow:
            profile = await self._profiles.get_or_create(user_id)
            result = await _profile_with_contact(profile, self._addresses, self._phones)
            await self._uow.commit()
        return result


class UpdateProfile:
    """Sets opt-ins and default addresses; fields left `UNCHANGED` stay (PUT acts like PATCH)."""

    def __init__(
        self,
        uow: UnitOfWork,
        profiles: CustomerProfileRepository,
        addresses: AddressRepository,
        phones: ContactPhones,
    ) -> None:
        self._uow, self._profiles, self._addresses, self._phones = uow, profiles, addresses, phones

    async def __call__(self, user_id: int, changes: ProfileChanges) -> ProfileWithContact:
        defaults = {
            field: address_id
            for field in _DEFAULT_FIELDS
            if (address_id := getattr(changes, field)) is not UNCHANGED
        }
        async with self._uow:
            profile = await self._profiles.get_or_create(user_id)
            for field, address_id in defaults.items():
                if address_id is not None and await self._addresses.get(user_id, address_id) is None:
                    raise InvalidDefaultAddressError(_DEFAULT_FIELDS[field], address_id)
                setattr(profile, field, address_id)
            if changes.email_opt_in is not UNCHANGED:
                profile.email_opt_in = changes.email_opt_in
            if changes.sms_opt_in is not UNCHANGED:
                profile.sms_opt_in = changes.sms_opt_in
            try:
                await self._profiles.update(profile)
            except ConflictError:  # an address named above was deleted meanwhile
                named = [(field, address_id) for field, address_id in defaults.items() if address_id]
                if not named:
                    raise
                raise InvalidDefaultAddressError(_DEFAULT_FIELDS[named[0][0]], named[0][1]) from None
            result = await _profile_with_contact(profile, self._addresses, self._phones)
            await self._uow.commit()
        return result


class ListAddresses:
    def __init__(self, uow: UnitOfWork, addresses: AddressRepository, phones: ContactPhones) -> None:
        self._uow, self._addresses, self._phones = uow, addresses, phones

    async def __call__(
        self,
        user_id: int,
        *,
        city: str | None = None,
        state: str | None = None,
        country_code: str | None = None,
        search: str | None = None,
        ordering: str | None = None,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[AddressWithContact]:
        """Exact filters (an empty one is ignored), `search` terms that must each occur in name,
        addr1, city or postal code, `ordering` over updated_at, id, city and state (`-` descends)."""
        query = AddressQuery(
            city=city or None,
            state=state or None,
            country_code=country_code or None,
            search=search_terms(search),
            ordering=parse_ordering(ordering, ADDRESS_ORDERING_FIELDS, DEFAULT_ADDRESS_ORDERING),
            page=page,
        )
        async with self._uow:
            found = await self._addresses.search(user_id, query)
            needs_fallback = any(first_phone(address.details.phone) is None for address in found.items)
            user_phone = await self._phones.of_user(user_id) if needs_fallback else None
        return found.map(
            lambda address: AddressWithContact(
                address=address, contact_phone=address.contact_phone(user_phone)
            )
        )


class CreateAddress:
    def __init__(self, uow: UnitOfWork, addresses: AddressRepository, phones: ContactPhones) -> None:
        self._uow, self._addresses, self._phones = uow, addresses, phones

    async def __call__(self, user_id: int, fields: AddressFields) -> AddressWithContact:
        """Raises `AddressExistsError` for a second address with the same addr1, city, postal code
        and country (a null postal code never collides, as in the reference)."""
        fields = fields.clean()
        async with self._uow:
            try:
                address = await self._addresses.add(user_id, fields)
            except ConflictError:
                raise AddressExistsError from None
            result = await _with_contact(address, self._phones)
            await self._uow.commit()
        return result


class GetAddress:
    def __init__(self, uow: UnitOfWork, addresses: AddressRepository, phones: ContactPhones) -> None:
        self._uow, self._addresses, self._phones = uow, addresses, phones

    async def __call__(self, user_id: int, address_id: int) -> AddressWithContact:
        async with self._uow:
            address = await self._addresses.get(user_id, address_id)
            if address is None:
                raise NotFoundError
            return await _with_contact(address, self._phones)


class UpdateAddress:
    """Applies the fields `changes` sets (PATCH; PUT is the same with addr1 and city required)."""

    def __init__(self, uow: UnitOfWork, addresses: AddressRepository, phones: ContactPhones) -> None:
        self._uow, self._addresses, self._phones = uow, addresses, phones

    async def __call__(self, user_id: int, address_id: int, changes: AddressChanges) -> AddressWithContact:
        async with self._uow:
            address = await self._addresses.get(user_id, address_id)
            if address is None:
                raise NotFoundError
            updated = Address(
                id=address.id, user_id=user_id, details=address.details.changed(changes).clean()
            )
            try:
                await self._addresses.update(updated)
            except ConflictError:
                raise AddressExistsError from None
            result = await _with_contact(updated, self._phones)
            await self._uow.commit()
        return result


class DeleteAddress:
    """Deletes the address and unsets the profile defaults that pointed at it."""

    def __init__(
        self, uow: UnitOfWork, addresses: AddressRepository, profiles: CustomerProfileRepository
    ) -> None:
        self._uow, self._addresses, self._profiles = uow, addresses, profiles

    async def __call__(self, user_id: int, address_id: int) -> None:
        async with self._uow:
            await self._profiles.clear_default(user_id, address_id)
            if not await self._addresses.delete(user_id, address_id):
                raise NotFoundError
            await self._uow.commit()
