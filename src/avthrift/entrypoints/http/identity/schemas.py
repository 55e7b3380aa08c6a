"""Wire types of `/api/v1/auth/` and `/api/v1/account/` (reference §1.2-1.3, contract §3)."""

from typing import Annotated

import msgspec

Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
Text150 = Annotated[str, msgspec.Meta(max_length=150)]
EmailText = Annotated[str, msgspec.Meta(min_length=1, max_length=254, description="An email address.")]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Phone = Annotated[str, msgspec.Meta(max_length=20, description="E.164 (+14155552671); empty clears it.")]
LinkPart = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class SignInIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    identifier: Annotated[
        str, msgspec.Meta(min_length=1, max_length=254, description="Email (any case) or E.164 phone.")
    ]
    password: Password


class TokenPairOut(msgspec.Struct, frozen=True, kw_only=True):
    access: str
    refresh: str


class RefreshIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    refresh: Token


class VerifyIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    token: Token


class EmptyOut(msgspec.Struct, frozen=True):
    pass


class DetailOut(msgspec.Struct, frozen=True, kw_only=True):
    detail: str


class RegisterIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    email: EmailText
    password: Password
    first_name: Text150 = ""
    last_name: Text150 = ""


class RegisteredOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class AccountOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    phone: str | None
    email_verified: bool


class ProfilePatchIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    first_name: Text150 | None = None
    last_name: Text150 | None = None
    phone: (
        Annotated[str, msgspec.Meta(max_length=20, description="E.164 (+14155552671); empty clears it.")]
        | None
    ) = None


class EmailIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: EmailText


class OptionalEmailIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: EmailText | None = None


class LinkIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    uid: LinkPart
    token: LinkPart


class PasswordResetConfirmIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    uid: LinkPart
    token: LinkPart
    new_password: Password


class EmailChangeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    new_email: EmailText


class PasswordChangeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    current_password: Password
    new_password: Password
