"""Customer addresses and profiles (reference §2.2), with the reference's validation rules and messages."""

import dataclasses
import re
from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal

from avthrift.domain.shared.errors import InvalidInputError
from avthrift.domain.shared.pagination import FIRST_PAGE, PageRequest, SortKey

DEFAULT_COUNTRY_CODE: Final = "NG"

# The patterns are published in the OpenAPI schema too (entrypoints/http/customers/schemas.py).
POSTAL_CODE_PATTERN: Final = r"^[A-Za-z0-9 -]{1,12}$"
COUNTRY_CODE_PATTERN: Final = r"^[A-Z]{2}$"
PHONE_PATTERN: Final = r"^\+?[1-9][0-9]{1,14}$"  # E.164 digits; the reference lets the '+' be omitted

BLANK_MESSAGE: Final = "This field may not be blank."
NUL_MESSAGE: Final = "Null characters are not allowed."


class Unchanged(Enum):
    """Marks a field a partial update leaves as it is (`None` is a value: it clears nullable fields)."""

    UNCHANGED = "unchanged"


UNCHANGED: Final = Unchanged.UNCHANGED
type Change[T] = T | Literal[Unchanged.UNCHANGED]


@dataclass(frozen=True, slots=True)
class _Rule:
    max_length: int
    required: bool = False
    pattern: str | None = None
    message: str = ""

    def check(self, value: str | None) -> str | None:
        """The reason `value` (already trimmed) is invalid, or `None`."""
        if not value:
            return BLANK_MESSAGE if self.required else None
        if "\x00" in value:
            return NUL_MESSAGE
        if len(value) > self.max_length:
            return f"Ensure this field has no more than {self.max_length} characters."
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return self.message
        return None


RULES: Final = {
    "name": _Rule(120),
    "addr1": _Rule(120, required=True),
    "addr2": _Rule(120),
    "city": _Rule(80, required=True),
    "state": _Rule(40),
    "postal_code": _Rule(
        12, pattern=POSTAL_CODE_PATTERN, message="Use standard alphanumeric postal/zip code"
    ),
    "country_code": _Rule(
        2,
        required=True,
        pattern=COUNTRY_CODE_PATTERN,
        message="Use ISO 3166-1 alpha-2 country code (e.g., US)",
    ),
    "phone": _Rule(16, pattern=PHONE_PATTERN, message="Use E.164 format (e.g., +14155552671)"),
}


def _blank_to_none(value: str | None) -> str | None:
    return (value or "").strip() or None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressFields:
    """The writable part of an address. `clean()` trims and validates it."""

    name: str = ""
    addr1: str
    addr2: str = ""
    city: str
    state: str | None = None
    postal_code: str | None = None
    country_code: str = DEFAULT_COUNTRY_CODE
    phone: str = ""

    def clean(self) -> "AddressFields":
        """A trimmed copy; raises `InvalidInputError` naming every invalid field.

        A blank `state` or `postal_code` becomes null: "not given" has one representation, and a
        null postal code never makes two addresses duplicates (reference §1.4).
        """
        cleaned = AddressFields(
            name=self.name.strip(),
            addr1=self.addr1.strip(),
            addr2=self.addr2.strip(),
            city=self.city.strip(),
            state=_blank_to_none(self.state),
            postal_code=_blank_to_none(self.postal_code),
            country_code=self.country_code.strip(),
            phone=self.phone.strip(),
        )
        problems = [
            {"name": name, "reason": reason}
            for name, rule in RULES.items()
            if (reason := rule.check(getattr(cleaned, name))) is not None
        ]
        if problems:
            detail = problems[0]["reason"] if len(problems) == 1 else "Some fields are invalid."
            raise InvalidInputError(detail, invalid_params=problems)
        return cleaned

    def changed(self, changes: "AddressChanges") -> "AddressFields":
        """This address with the fields `changes` sets (not yet cleaned)."""
        updates = {
            field.name: value
            for field in dataclasses.fields(changes)
            if (value := getattr(changes, field.name)) is not UNCHANGED
        }
        return dataclasses.replace(self, **updates)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressChanges:
    """A partial update: fields left `UNCHANGED` keep their value."""

    name: Change[str] = UNCHANGED
    addr1: Change[str] = UNCHANGED
    addr2: Change[str] = UNCHANGED
    city: Change[str] = UNCHANGED
    state: Change[str | None] = UNCHANGED
    postal_code: Change[str | None] = UNCHANGED
    country_code: Change[str] = UNCHANGED
    phone: Change[str] = UNCHANGED


def first_phone(*candidates: str | None) -> str | None:
    """The first candidate that is not blank, trimmed; `None` when all are blank."""
    return next((phone.strip() for phone in candidates if phone and phone.strip()), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    id: int
    user_id: int
    details: AddressFields

    def contact_phone(self, user_phone: str | None) -> str | None:
        """The address phone, else the user's phone, else `None`."""
        return first_phone(self.details.phone, user_phone)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressWithContact:
    """An address and the phone a courier should call (`effective_contact_phone`)."""

    address: Address
    contact_phone: str | None


@dataclass(slots=True, kw_only=True)
class CustomerProfile:
    """Contact preferences and default addresses of one user (at most one profile per user)."""

    id: int
    user_id: int
    email_opt_in: bool = False
    sms_opt_in: bool = False
    default_shipping_address_id: int | None = None
    default_billing_address_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileWithContact:
    """A profile and its `shipping_contact`: the default shipping address's phone, else the user's."""

    profile: CustomerProfile
    shipping_contact: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileChanges:
    email_opt_in: Change[bool] = UNCHANGED
    sms_opt_in: Change[bool] = UNCHANGED
    default_shipping_address_id: Change[int | None] = UNCHANGED
    default_billing_address_id: Change[int | None] = UNCHANGED


ADDRESS_ORDERING_FIELDS: Final = frozenset({"updated_at", "id", "city", "state"})
DEFAULT_ADDRESS_ORDERING: Final = (SortKey("updated_at", descending=True), SortKey("id"))


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressQuery:
    """Which of a user's addresses to list, in which order: exact filters (a blank one is ignored)
    and search terms that must each occur, case-insensitively, in name, addr1, city or postal code."""

    city: str | None = None
    state: str | None = None
    country_code: str | None = None
    search: tuple[str, ...] = ()
    ordering: tuple[SortKey, ...] = DEFAULT_ADDRESS_ORDERING
    page: PageRequest = FIRST_PAGE
