"""Ports of the identity context."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from avthrift.domain.identity.model import NewUser, User

type TokenType = Literal["access", "refresh"]
type LinkPurpose = Literal["reset", "verify", "change"]


class UserRepository(Protocol):
    """Users, inside the caller's unit of work. Emails and usernames compare case-insensitively."""

    async def get(self, user_id: int) -> User | None: ...

    async def by_email(self, email: str) -> User | None: ...

    async def by_phone(self, phone: str) -> User | None: ...

    async def username_taken(self, username: str) -> bool: ...

    async def email_taken(self, email: str, *, except_user: int | None = None) -> bool:
        """True when any other user has `email` as their address or as a pending change."""
        ...

    async def add(self, user: NewUser) -> User:
        """Store a new user; raises `ConflictError` when the username or email is taken."""
        ...

    async def update(self, user: User) -> None:
        """Write every field back; raises `ConflictError` when email, pending email or phone is taken."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing, run off the event loop under a concurrency cap."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str) -> bool:
        """False for a wrong password or a malformed hash; never raises for bad input."""
        ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of one `verify`, so unknown users answer as slowly as known ones."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenClaims:
    type: TokenType
    user_id: int
    jti: str
    family: str
    is_staff: bool
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedTokens:
    access: str
    refresh: str
    refresh_claims: TokenClaims


class TokenIssuer(Protocol):
    """Signed JWTs with pinned algorithm, issuer, audience, type, `exp` and `iat`."""

    def new_family(self) -> str:
        """A fresh, unguessable id for the refresh-token chain started by a sign-in."""
        ...

    def issue(self, user: User, family: str, now: datetime) -> IssuedTokens: ...

    def read(self, token: str, now: datetime, expected: TokenType | None = None) -> TokenClaims:
        """Verify and decode; raises `InvalidTokenError` for anything not valid (or not `expected`)."""
        ...


class RefreshTokenStore(Protocol):
    """Server-side record of refresh tokens, for rotation and revocation (transactional)."""

    async def add(self, claims: TokenClaims) -> None: ...

    async def consume(self, jti: str, now: datetime) -> bool:
        """Mark a live token used, atomically; False when it was already used, revoked or unknown."""
        ...

    async def is_live(self, jti: str, now: datetime) -> bool: ...

    async def family_is_live(self, family: str) -> bool:
        """False once the family was revoked (sign-out, reuse, credential change)."""
        ...

    async def revoke_family(self, family: str, now: datetime) -> None: ...

    async def revoke_user(self, user_id: int, now: datetime) -> None: ...


class LinkTokens(Protocol):
    """Stateless tokens for emailed links, bound to the user state they act on (so single-use)."""

    def make(self, purpose: LinkPurpose, user_id: int, state: str, now: datetime) -> str: ...

    def check(
        self, purpose: LinkPurpose, user_id: int, state: str, token: str, now: datetime, max_age: timedelta
    ) -> bool: ...
