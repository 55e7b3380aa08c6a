"""Emailed links (reference §3.7): `{FRONTEND_URL}/<page>?uid=…&token=…`, never in a response."""

import base64
import binascii
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from avthrift.domain.identity.errors import InvalidLinkError
from avthrift.domain.identity.model import User
from avthrift.domain.identity.ports import LinkPurpose
from avthrift.domain.shared.email import EmailMessage


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityPolicy:
    frontend_url: str
    reset_ttl: timedelta
    verify_ttl: timedelta
    change_ttl: timedelta

    def ttl(self, purpose: LinkPurpose) -> timedelta:
        return {"reset": self.reset_ttl, "verify": self.verify_ttl, "change": self.change_ttl}[purpose]


def encode_uid(user_id: int) -> str:
    return base64.urlsafe_b64encode(str(user_id).encode()).decode().rstrip("=")


def decode_uid(uid: str) -> int:
    try:
        text = base64.urlsafe_b64decode(uid + "=" * (-len(uid) % 4)).decode()
        return int(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidLinkError from None


def link_state(purpose: LinkPurpose, user: User) -> str:
    """What a link is bound to: once that changes, the link is spent."""
    if purpose == "reset":
        return f"{user.password_hash}|{user.email}|{user.is_active}"
    if purpose == "verify":
        return f"{user.email}|{user.email_verified}"
    return user.pending_email or ""


_MAILS: dict[LinkPurpose, tuple[str, str, str]] = {
    "verify": ("verify-email", "Verify your AVThrift email", "Confirm your email with this link: {link}"),
    "reset": (
        "reset-password",
        "Reset your AVThrift password",
        "Use this link to reset your password: {link}",
    ),
    "change": (
        "change-email",
        "Confirm your new AVThrift email",
        "Confirm your new email with this link: {link}",
    ),
}


def link_mail(
    policy: IdentityPolicy, purpose: LinkPurpose, to: str, user_id: int, token: str
) -> EmailMessage:
    page, subject, template = _MAILS[purpose]
    link = f"{policy.frontend_url}/{page}?{urlencode({'uid': encode_uid(user_id), 'token': token})}"
    return EmailMessage(to=to, subject=subject, body=template.format(link=link))
