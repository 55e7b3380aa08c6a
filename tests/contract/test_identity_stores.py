"""One contract for UserRepository and RefreshTokenStore, run on the fakes and on SQL (both engines)."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.refresh_tokens import SqlAlchemyRefreshTokenStore
from avthrift.adapters.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from avthrift.domain.identity.model import NewUser
from avthrift.domain.identity.ports import RefreshTokenStore, TokenClaims, UserRepository
from avthrift.domain.shared.errors import ConflictError
from tests.conftest import migrated_database
from tests.fakes import FakeRefreshTokenStore, FakeUserRepository

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass
class Stores:
    users: UserRepository
    tokens: RefreshTokenStore


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def store_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    if request.param == "fake":
        yield None
        return
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def stores(store_database: str | None) -> AsyncIterator[Stores]:
    if store_database is None:
        yield Stores(FakeUserRepository(), FakeRefreshTokenStore())
        return
    engine = create_engine(store_database)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield Stores(SqlAlchemyUserRepository(session), SqlAlchemyRefreshTokenStore(session))
        await session.rollback()
    await engine.dispose()


def new_user(name: str = "ada", email: str = "ada@example.com") -> NewUser:
    return NewUser(username=name, email=email, password_hash="h", date_joined=NOW)


def claims(user_id: int, jti: str, family: str = "fam", expires_at: datetime | None = None) -> TokenClaims:
    return TokenClaims(
        type="refresh",
        user_id=user_id,
        jti=jti,
        family=family,
        is_staff=False,
        expires_at=expires_at or NOW + timedelta(days=1),
    )


async def test_added_users_are_found_by_id_email_and_phone(stores: Stores) -> None:
    user = await stores.users.add(new_user())
    user.phone = "+2348012345678"
    await stores.users.update(user)
    assert (await stores.users.get(user.id)) == user
    assert (await stores.users.by_email("ada@example.com")) == user
    assert (await stores.users.by_phone("+2348012345678")) == user
    assert await stores.users.get(user.id + 1000) is None
    assert await stores.users.by_email("nobody@example.com") is None


async def test_usernames_are_unique_case_insensitively(stores: Stores) -> None:
    await stores.users.add(new_user("Ada"))
    assert await stores.users.username_taken("aDA")
    with pytest.raises(ConflictError):
        await stores.users.add(new_user("ADA", "other@example.com"))


async def test_emails_pending_emails_and_phones_are_unique(stores: Stores) -> None:
    ada = await stores.users.add(new_user())
    bob = await stores.users.add(new_user("bob", "bob@example.com"))
    ada.pending_email = "new@example.com"
    await stores.users.update(ada)
    assert await stores.users.email_taken("new@example.com")
    assert not await stores.users.email_taken("new@example.com", except_user=ada.id)
    assert await stores.users.email_taken("bob@example.com")
    bob.pending_email = "new@example.com"
    with pytest.raises(ConflictError):
        await stores.users.update(bob)


async def test_phone_collision_is_a_conflict(stores: Stores) -> None:
    ada = await stores.users.add(new_user())
    bob = await stores.users.add(new_user("bob", "bob@example.com"))
    ada.phone = "+2348012345678"
    await stores.users.update(ada)
    bob.phone = "+2348012345678"
    with pytest.raises(ConflictError):
        await stores.users.update(bob)


async def test_refresh_token_is_consumed_exactly_once(stores: Stores) -> None:
    user = await stores.users.add(new_user())
    await stores.tokens.add(claims(user.id, "jti-1"))
    assert await stores.tokens.is_live("jti-1", NOW)
    assert await stores.tokens.consume("jti-1", NOW)
    assert not await stores.tokens.consume("jti-1", NOW)
    assert not await stores.tokens.is_live("jti-1", NOW)
    assert not await stores.tokens.consume("unknown", NOW)


async def test_expired_refresh_token_cannot_be_consumed(stores: Stores) -> None:
    user = await stores.users.add(new_user())
    await stores.tokens.add(claims(user.id, "jti-old", expires_at=NOW - timedelta(seconds=1)))
    assert not await stores.tokens.consume("jti-old", NOW)


async def test_revoking_a_family_or_a_user(stores: Stores) -> None:
    ada = await stores.users.add(new_user())
    bob = await stores.users.add(new_user("bob", "bob@example.com"))
    await stores.tokens.add(claims(ada.id, "a1", "fam-a"))
    await stores.tokens.add(claims(ada.id, "a2", "fam-a2"))
    await stores.tokens.add(claims(bob.id, "b1", "fam-b"))
    await stores.tokens.revoke_family("fam-a", NOW)
    assert not await stores.tokens.family_is_live("fam-a")
    assert not await stores.tokens.is_live("a1", NOW)
    assert await stores.tokens.is_live("a2", NOW)
    await stores.tokens.revoke_user(ada.id, NOW)
    assert not await stores.tokens.is_live("a2", NOW)
    assert await stores.tokens.is_live("b1", NOW)
    assert await stores.tokens.family_is_live("fam-b")


async def test_lookups_of_unstorable_identifiers_find_nothing(stores: Stores) -> None:
    await stores.users.add(new_user())
    assert await stores.users.by_email("ada@example.com\x00") is None
    assert await stores.users.by_phone("+234\x00") is None
    assert not await stores.users.email_taken("x\x00@example.com")
    assert not await stores.users.username_taken("ada\x00")
