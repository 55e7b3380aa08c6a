"""Users and the rules on their identifiers."""

import re
from dataclasses import dataclass
from datetime import datetime

from avthrift.domain.shared.errors import field_error

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")  # ITU-T E.164: at most 15 digits, no leading zero

EMAIL_MAX_LENGTH = 254
USERNAME_MAX_LENGTH = 150
NAME_MAX_LENGTH = 150


def normalise_email(raw: str, field: str = "email") -> str:
    """Trimmed and lower-cased; emails compare case-insensitively everywhere."""
    email = raw.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
        raise field_error(field, "Enter a valid email address.")
    return email


def normalise_phone(raw: str, field: str = "phone") -> str:
    phone = raw.strip().replace(" ", "")
    if not _E164.match(phone):
        raise field_error(field, "Use E.164 format (e.g., +14155552671).")
    return phone


def looks_like_email(identifier: str) -> bool:
    return "@" in identifier


def identifier_key(identifier: str) -> str:
    """The canonical form of a sign-in identifier: what lookups and per-account limits use."""
    identifier = identifier.strip()
    return identifier.lower() if looks_like_email(identifier) else identifier.replace(" ", "")


@dataclass(slots=True, kw_only=True)
class User:
    id: int
    username: str
    email: str
    password_hash: str
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    email_verified: bool = False
    pending_email: str | None = None
    is_staff: bool = False
    is_active: bool = True
    date_joined: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class NewUser:
    """A user about to be stored: the repository assigns the id."""

    username: str
    email: str
    password_hash: str
    first_name: str = ""
    last_name: str = ""
    is_staff: bool = False
    date_joined: datetime


def check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > USERNAME_MAX_LENGTH:
        raise field_error("username", f"Enter 1 to {USERNAME_MAX_LENGTH} characters.")
    return name
