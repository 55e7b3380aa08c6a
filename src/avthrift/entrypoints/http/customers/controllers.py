"""`/api/v1/customer/`: the signed-in customer's profile and address book (reference §1.4, contract §4).

Someone else's address is `404 "Not found."` on every route, exactly like a missing one.
"""

from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from avthrift.domain.customers.model import (
    UNCHANGED,
    AddressChanges,
    AddressFields,
    AddressWithContact,
    ProfileChanges,
    ProfileWithContact,
)
from avthrift.domain.customers.use_cases import (
    CreateAddress,
    DeleteAddress,
    GetAddress,
    GetProfile,
    ListAddresses,
    UpdateAddress,
    UpdateProfile,
)
from avthrift.domain.shared.pagination import DEFAULT_PAGE_SIZE
from avthrift.entrypoints.http.auth import BEARER_SECURITY, authenticated, principal
from avthrift.entrypoints.http.customers.schemas import (
    AddressCreateIn,
    AddressOut,
    AddressPatchIn,
    AddressPutIn,
    ProfileIn,
    ProfileOut,
)
from avthrift.entrypoints.http.pagination import PageNumber, PageSize, Paginated, page_request, paginated
from avthrift.entrypoints.http.patterns import NO_NUL
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

AddressIdParam = Annotated[int, PathParameter(ge=1, description="The address id.")]
Filter = Annotated[str | None, QueryParameter(pattern=NO_NUL, max_length=120, description="Exact match.")]
# `state` is a reserved parameter name in Litestar (the application state).
StateFilter = Annotated[
    str | None,
    QueryParameter(name="state", pattern=NO_NUL, max_length=120, description="Exact match."),
]
SearchParam = Annotated[
    str | None,
    QueryParameter(
        pattern=NO_NUL,
        max_length=200,
        description="Terms (split on spaces and commas; quotes keep a phrase) that must each occur, "
        "case-insensitively, in name, addr1, city or postal_code.",
    ),
]
OrderingParam = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="Comma-separated fields among `updated_at`, `id`, `city`, `state`; `-` descends; "
        "unknown fields are ignored. Default `-updated_at,id`.",
    ),
]


def _address(found: AddressWithContact) -> AddressOut:
    address, details = found.address, found.address.details
    return AddressOut(
        id=address.id,
        name=details.name,
        addr1=details.addr1,
        addr2=details.addr2,
        city=details.city,
        state=details.state,
        postal_code=details.postal_code,
        country_code=details.country_code,
        phone=details.phone,
        effective_contact_phone=found.contact_phone,
    )


def _profile(found: ProfileWithContact) -> ProfileOut:
    profile = found.profile
    return ProfileOut(
        id=profile.id,
        email_opt_in=profile.email_opt_in,
        sms_opt_in=profile.sms_opt_in,
        shipping_address=profile.default_shipping_address_id,
        billing_address=profile.default_billing_address_id,
        shipping_contact=found.shipping_contact,
    )


def _unset_to_unchanged(value: Any) -> Any:
    return UNCHANGED if value is msgspec.UNSET else value


def _address_changes(data: AddressPutIn | AddressPatchIn) -> AddressChanges:
    return AddressChanges(
        **{name: _unset_to_unchanged(getattr(data, name)) for name in data.__struct_fields__}
    )


def _profile_changes(data: ProfileIn) -> ProfileChanges:
    return ProfileChanges(
        email_opt_in=_unset_to_unchanged(data.email_opt_in),
        sms_opt_in=_unset_to_unchanged(data.sms_opt_in),
        default_shipping_address_id=_unset_to_unchanged(data.shipping_address),
        default_billing_address_id=_unset_to_unchanged(data.billing_address),
    )


class CustomerProfileController(Controller):
    path = "/api/v1/customer/profile"
    tags = ["customer"]  # noqa: RUF012
    opt = {RATE_SCOPE: "profile"}  # noqa: RUF012 - every operation here, OPTIONS included
    security = BEARER_SECURITY

    @get(
        guards=[authenticated],
        summary="My customer profile",
        responses=problem_responses(401, 429),
    )
    async def get_profile(
        self, request: Request[Any, Any, Any], get_profile: FromDishka[GetProfile]
    ) -> ProfileOut:
        """Created with defaults on first read. `shipping_contact` is the default shipping address's
        phone, else the account phone, else `null`."""
        return _profile(await get_profile(principal(request).id))

    @put(
        guards=[authenticated],
        summary="Update my customer profile",
        responses=problem_responses(400, 401, 429),
    )
    async def put_profile(
        self, request: Request[Any, Any, Any], data: JSONBody[ProfileIn], update: FromDishka[UpdateProfile]
    ) -> ProfileOut:
        """Same as PATCH: every field is optional. A default address that is not one of yours is
        `400`, whether or not it exists."""
        return _profile(await update(principal(request).id, _profile_changes(data)))

    @patch(
        guards=[authenticated],
        summary="Update some fields of my customer profile",
        responses=problem_responses(400, 401, 429),
    )
    async def patch_profile(
        self, request: Request[Any, Any, Any], data: JSONBody[ProfileIn], update: FromDishka[UpdateProfile]
    ) -> ProfileOut:
        """A default address that is not one of yours is `400`, whether or not it exists."""
        return _profile(await update(principal(request).id, _profile_changes(data)))


class AddressesController(Controller):
    path = "/api/v1/customer/addresses"
    tags = ["customer"]  # noqa: RUF012
    opt = {RATE_SCOPE: "addresses"}  # noqa: RUF012 - every operation here, OPTIONS included
    security = BEARER_SECURITY

    @get(
        guards=[authenticated],
        summary="My addresses",
        responses=problem_responses(400, 401, 404, 429),
    )
    async def list_addresses(
        self,
        request: Request[Any, Any, Any],
        list_addresses: FromDishka[ListAddresses],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        city: Filter = None,
        state_filter: StateFilter = None,
        country_code: Filter = None,
        search: SearchParam = None,
        ordering: OrderingParam = None,
    ) -> Paginated[AddressOut]:
        found = await list_addresses(
            principal(request).id,
            city=city,
            state=state_filter,
            country_code=country_code,
            search=search,
            ordering=ordering,
            page=page_request(page, page_size),
        )
        return paginated(request, found, _address)

    @post(
        guards=[authenticated],
        summary="Add an address",
        responses=problem_responses(400, 401, 409, 429),
    )
    async def create_address(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[AddressCreateIn],
        create: FromDishka[CreateAddress],
    ) -> AddressOut:
        """`201`. A second address with the same addr1, city, postal code and country is `409`
        (`address_exists`); without a postal code, duplicates are allowed."""
        fields = AddressFields(
            name=data.name,
            addr1=data.addr1,
            addr2=data.addr2,
            city=data.city,
            state=data.state,
            postal_code=data.postal_code,
            country_code=data.country_code,
            phone=data.phone,
        )
        return _address(await create(principal(request).id, fields))


class AddressController(Controller):
    path = "/api/v1/customer/addresses/{address_id:int}"
    tags = ["customer"]  # noqa: RUF012
    opt = {RATE_SCOPE: "addresses_write"}  # noqa: RUF012 - every operation here, OPTIONS included
    security = BEARER_SECURITY

    @get(
        guards=[authenticated],
        summary="One of my addresses",
        responses=problem_responses(400, 401, 404, 429),
    )
    async def get_address(
        self, request: Request[Any, Any, Any], address_id: AddressIdParam, get_address: FromDishka[GetAddress]
    ) -> AddressOut:
        return _address(await get_address(principal(request).id, address_id))

    @put(
        guards=[authenticated],
        summary="Replace one of my addresses",
        responses=problem_responses(400, 401, 404, 409, 429),
    )
    async def put_address(
        self,
        request: Request[Any, Any, Any],
        address_id: AddressIdParam,
        data: JSONBody[AddressPutIn],
        update: FromDishka[UpdateAddress],
    ) -> AddressOut:
        """`addr1` and `city` are required; other fields left out keep their value."""
        return _address(await update(principal(request).id, address_id, _address_changes(data)))

    @patch(
        guards=[authenticated],
        summary="Update some fields of one of my addresses",
        responses=problem_responses(400, 401, 404, 409, 429),
    )
    async def patch_address(
        self,
        request: Request[Any, Any, Any],
        address_id: AddressIdParam,
        data: JSONBody[AddressPatchIn],
        update: FromDishka[UpdateAddress],
    ) -> AddressOut:
        return _address(await update(principal(request).id, address_id, _address_changes(data)))

    @delete(
        guards=[authenticated],
        summary="Delete one of my addresses",
        responses=problem_responses(400, 401, 404, 429),
    )
    async def delete_address(
        self,
        request: Request[Any, Any, Any],
        address_id: AddressIdParam,
        delete_address: FromDishka[DeleteAddress],
    ) -> None:
        """`204`; profile defaults that pointed at the address are unset."""
        await delete_address(principal(request).id, address_id)
