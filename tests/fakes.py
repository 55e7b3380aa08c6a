"""In-memory fakes of the ports, for use-case tests (no mocks)."""

from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from avthrift.domain.customers.model import Address, AddressFields, AddressQuery, CustomerProfile
from avthrift.domain.customers.ports import AddressRepository, ContactPhones, CustomerProfileRepository
from avthrift.domain.identity.model import NewUser, User
from avthrift.domain.identity.ports import PasswordHasher, RefreshTokenStore, TokenClaims, UserRepository
from avthrift.domain.shared.errors import ConflictError, NotFoundError
from avthrift.domain.shared.pagination import Page
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


class FakeAddressRepository(AddressRepository):
    """Addresses in a dict, with the SQL adapter's uniqueness, filter, search and ordering rules."""

    def __init__(self) -> None:
        self.rows: dict[int, Address] = {}
        self.updated: dict[int, int] = {}  # address id -> change sequence number (stands for updated_at)
        self._sequence = 0

    def _touch(self, address_id: int) -> None:
        self._sequence += 1
        self.updated[address_id] = self._sequence

    async def get(self, user_id: int, address_id: int) -> Address | None:
        address = self.rows.get(address_id)
        return address if address is not None and address.user_id == user_id else None

    async def search(self, user_id: int, query: AddressQuery) -> Page[Address]:
        def matches(address: Address) -> bool:
            details = address.details
            searched = [details.name, details.addr1, details.city, details.postal_code or ""]
            return (
                address.user_id == user_id
                and all(
                    getattr(query, name) in (None, getattr(details, name))
                    for name in ("city", "state", "country_code")
                )
                and all(any(term.lower() in text.lower() for text in searched) for term in query.search)
            )

        found = [address for address in self.rows.values() if matches(address)]
        for key in reversed(query.ordering):  # stable sorts, last key first
            found.sort(key=lambda address: self._sort_value(address, key.field), reverse=key.descending)
        query.page.check(len(found))
        start = query.page.offset
        return Page(items=tuple(found[start : start + query.page.size]), total=len(found), request=query.page)

    def _sort_value(self, address: Address, field: str) -> tuple[bool, object]:
        value = {"id": address.id, "updated_at": self.updated[address.id]}.get(field)
        if value is None:
            value = getattr(address.details, field)
        return (value is None, value or "")  # NULLs last, as PostgreSQL sorts them ascending

    def _check_unique(self, address: Address) -> None:
        def key(other: Address) -> tuple[object, ...]:
            details = other.details
            return (other.user_id, details.addr1, details.city, details.postal_code, details.country_code)

        if address.details.postal_code is not None and any(
            key(other) == key(address) for other in self.rows.values() if other.id != address.id
        ):
            raise ConflictError

    async def add(self, user_id: int, fields: AddressFields) -> Address:
        address = Address(id=max(self.rows, default=0) + 1, user_id=user_id, details=fields)
        self._check_unique(address)
        self.rows[address.id] = address
        self._touch(address.id)
        return address

    async def update(self, address: Address) -> None:
        self._check_unique(address)
        self.rows[address.id] = address
        self._touch(address.id)

    async def delete(self, user_id: int, address_id: int) -> bool:
        if await self.get(user_id, address_id) is None:
            return False
        del self.rows[address_id]
        return True


class FakeCustomerProfileRepository(CustomerProfileRepository):
    def __init__(self, known_users: set[int] | None = None) -> None:
        self.rows: dict[int, CustomerProfile] = {}  # by user id
        self.known_users = known_users

    async def get_or_create(self, user_id: int) -> CustomerProfile:
        if self.known_users is not None and user_id not in self.known_users:
            raise NotFoundError
        if user_id not in self.rows:
            self.rows[user_id] = CustomerProfile(id=len(self.rows) + 1, user_id=user_id)
        return replace(self.rows[user_id])

    async def update(self, profile: CustomerProfile) -> None:
        self.rows[profile.user_id] = replace(profile)

    async def clear_default(self, user_id: int, address_id: int) -> None:
        profile = self.rows.get(user_id)
        if profile is None:
            return
        if profile.default_shipping_address_id == address_id:
            profile.default_shipping_address_id = None
        if profile.default_billing_address_id == address_id:
            profile.default_billing_address_id = None


class FakeContactPhones(ContactPhones):
    def __init__(self, phones: dict[int, str | None] | None = None) -> None:
        self.phones = phones or {}

    async def of_user(self, user_id: int) -> str | None:
        return self.phones.get(user_id)
