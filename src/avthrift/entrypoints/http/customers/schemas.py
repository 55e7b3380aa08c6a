"""Wire types of `/api/v1/customer/` (reference §1.4, contract §4).

The formats are published as `pattern`s (on the raw value; surrounding whitespace is trimmed) but
checked by the domain, so that a client reads the reference's messages ("Use E.164 format …")
rather than a regular expression. The two must agree: the schemathesis run holds them to it.
"""

from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from avthrift.domain.customers.model import DEFAULT_COUNTRY_CODE
from avthrift.entrypoints.http.patterns import NO_NUL, NOT_BLANK, WHITESPACE


def _text(max_length: int, pattern: str, description: str) -> msgspec.Meta:
    return msgspec.Meta(
        max_length=max_length, description=description, extra_json_schema={"extra": {"pattern": pattern}}
    )


Name = Annotated[str, _text(120, NO_NUL, "Recipient or label; may be blank.")]
Addr1 = Annotated[str, _text(120, NOT_BLANK, "Street address; not blank.")]
Addr2 = Annotated[str, _text(120, NO_NUL, "Second address line; may be blank.")]
City = Annotated[str, _text(80, NOT_BLANK, "Not blank.")]
State = Annotated[str, _text(40, NO_NUL, "Free text; blank is stored as null.")]
PostalCode = Annotated[
    str,
    _text(
        12,
        rf"^[{WHITESPACE}]*([A-Za-z0-9 -]{{1,12}})?[{WHITESPACE}]*$",
        "Letters, digits, spaces and hyphens; blank is stored as null.",
    ),
]
CountryCode = Annotated[
    str, _text(2, r"^[A-Z]{2}$", "ISO 3166-1 alpha-2, upper case (not upper-cased for you).")
]
Phone = Annotated[
    str,
    _text(
        16,
        rf"^[{WHITESPACE}]*(\+?[1-9][0-9]{{1,14}})?[{WHITESPACE}]*$",
        "E.164 digits, the '+' optional (+14155552671); may be blank.",
    ),
]
AddressId = Annotated[int, msgspec.Meta(ge=1, description="The id of one of your addresses.")]


class AddressOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    addr1: str
    addr2: str
    city: str
    state: str | None
    postal_code: str | None
    country_code: str
    phone: str
    effective_contact_phone: str | None


class AddressCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name = ""
    addr1: Addr1
    addr2: Addr2 = ""
    city: City
    state: State | None = None
    postal_code: PostalCode | None = None
    country_code: CountryCode = DEFAULT_COUNTRY_CODE
    phone: Phone = ""


class AddressPutIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`addr1` and `city` are required; fields left out keep their value."""

    name: Name | UnsetType = UNSET
    addr1: Addr1
    addr2: Addr2 | UnsetType = UNSET
    city: City
    state: State | UnsetType | None = UNSET
    postal_code: PostalCode | UnsetType | None = UNSET
    country_code: CountryCode | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET


class AddressPatchIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fields left out keep their value."""

    name: Name | UnsetType = UNSET
    addr1: Addr1 | UnsetType = UNSET
    addr2: Addr2 | UnsetType = UNSET
    city: City | UnsetType = UNSET
    state: State | UnsetType | None = UNSET
    postal_code: PostalCode | UnsetType | None = UNSET
    country_code: CountryCode | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET


class ProfileOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    email_opt_in: bool
    sms_opt_in: bool
    shipping_address: int | None
    billing_address: int | None
    shipping_contact: str | None


class ProfileIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every field is optional, on PUT too; `null` unsets a default address."""

    email_opt_in: bool | UnsetType = UNSET
    sms_opt_in: bool | UnsetType = UNSET
    shipping_address: AddressId | UnsetType | None = UNSET
    billing_address: AddressId | UnsetType | None = UNSET
