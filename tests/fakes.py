"""In-memory fakes of the ports, for use-case tests (no mocks)."""

from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from avthrift.domain.identity.model import NewUser, User
from avthrift.domain.identity.ports import PasswordHasher, RefreshTokenStore, TokenClaims, UserRepository
from avthrift.domain.shared.errors import ConflictError
from avthrift.domain.shared.ports import Clock, UnitOfWork


class FixedClock(Clock):
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeUnitOfWork(UnitOfWork):
    """Counts commits and rollbacks; fake repositories read `committed` to decide what persists."""

    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0
        self._committed = False

    async def __aenter__(self) -> Self:
        self._committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.rollbacks += 1

    async def commit(self) -> None:
        self.commits += 1
        self._committed = True


class FakeUserRepository(UserRepository):
    """Users in a dict, with the SQL adapter's uniqueness rules (case-insensitive username)."""

    def __init__(self) -> None:
        self.rows: dict[int, User] = {}

    async def get(self, user_id: int) -> User | None:
        user = self.rows.get(user_id)
        return None if user is None else replace(user)

    async def by_email(self, email: str) -> User | None:
        return next((replace(u) for u in self.rows.values() if u.email == email), None)

    async def by_phone(self, phone: str) -> User | None:
        return next((replace(u) for u in self.rows.values() if u.phone == phone), None)

    async def username_taken(self, username: str) -> bool:
        return any(u.username.lower() == username.lower() for u in self.rows.values())

    async def email_taken(self, email: str, *, except_user: int | None = None) -> bool:
        return any(email in (u.email, u.pending_email) for u in self.rows.values() if u.id != except_user)

    def _check_unique(self, user: User) -> None:
        for other in self.rows.values():
            if other.id == user.id:
                continue
            if (
                other.username.lower() == user.username.lower()
                or other.email == user.email
                or (user.pending_email is not None and other.pending_email == user.pending_email)
                or (user.phone is not None and other.phone == user.phone)
            ):
                raise ConflictError

    async def add(self, user: NewUser) -> User:
        stored = User(id=len(self.rows) + 1, **{f.name: getattr(user, f.name) for f in fields(user)})
        self._check_unique(stored)
        self.rows[stored.id] = stored
        return replace(stored)

    async def update(self, user: User) -> None:
        self._check_unique(user)
        self.rows[user.id] = replace(user)


class FakeRefreshTokenStore(RefreshTokenStore):
    def __init__(self) -> None:
        self.tokens: dict[str, dict[str, object]] = {}

    async def add(self, claims: TokenClaims) -> None:
        self.tokens[claims.jti] = {"claims": claims, "used": None, "revoked": None}

    def _live(self, jti: str, now: datetime) -> bool:
        token = self.tokens.get(jti)
        if token is None or token["used"] is not None or token["revoked"] is not None:
            return False
        claims = token["claims"]
        assert isinstance(claims, TokenClaims)
        return claims.expires_at > now

    async def consume(self, jti: str, now: datetime) -> bool:
        if not self._live(jti, now):
            return False
        self.tokens[jti]["used"] = now
        return True

    async def is_live(self, jti: str, now: datetime) -> bool:
        return self._live(jti, now)

    async def family_is_live(self, family: str) -> bool:
        return not any(
            t["revoked"] is not None
            for t in self.tokens.values()
            if getattr(t["claims"], "family", None) == family
        )

    async def _revoke(self, predicate: Callable[[TokenClaims], bool], now: datetime) -> None:
        for token in self.tokens.values():
            claims = token["claims"]
            assert isinstance(claims, TokenClaims)
            if predicate(claims) and token["revoked"] is None:
                token["revoked"] = now

    async def revoke_family(self, family: str, now: datetime) -> None:
        await self._revoke(lambda claims: claims.family == family, now)

    async def revoke_user(self, user_id: int, now: datetime) -> None:
        await self._revoke(lambda claims: claims.user_id == user_id, now)


class FakePasswordHasher(PasswordHasher):
    """Reversible and instant; counts verifications so tests can see the dummy one happen."""

    def __init__(self) -> None:
        self.verifications = 0

    async def hash(self, password: str) -> str:
        return f"fake${password}"

    async def verify(self, password: str, password_hash: str) -> bool:
        self.verifications += 1
        return password_hash == f"fake${password}"

    async def verify_dummy(self, password: str) -> None:
        self.verifications += 1
