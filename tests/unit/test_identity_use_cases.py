"""Identity use cases against in-memory fakes (fast; the pyramid's base)."""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from avthrift.adapters.email.memory import MemoryEmailSender
from avthrift.adapters.security.jwt_issuer import JwtTokenIssuer
from avthrift.adapters.security.link_tokens import HmacLinkTokens
from avthrift.domain.identity.errors import (
    InvalidCredentialsError,
    InvalidLinkError,
    InvalidTokenError,
    PhoneTakenError,
)
from avthrift.domain.identity.links import IdentityPolicy
from avthrift.domain.identity.model import User
from avthrift.domain.identity.use_cases.account import (
    ConfirmEmailChange,
    ProfileChanges,
    RequestEmailChange,
    UpdateProfile,
)
from avthrift.domain.identity.use_cases.passwords import ChangePassword, RequestPasswordReset, ResetPassword
from avthrift.domain.identity.use_cases.registration import ConfirmEmail, CreateUser, Register
from avthrift.domain.identity.use_cases.sessions import RefreshTokens, SignIn, SignOut, VerifyToken
from avthrift.domain.shared.errors import InvalidInputError
from tests.fakes import (
    FakePasswordHasher,
    FakeRefreshTokenStore,
    FakeUnitOfWork,
    FakeUserRepository,
    FixedClock,
)

PASSWORD = "Thrift-shop-2026!"


@dataclass
class World:
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    users: FakeUserRepository = field(default_factory=FakeUserRepository)
    tokens: FakeRefreshTokenStore = field(default_factory=FakeRefreshTokenStore)
    hasher: FakePasswordHasher = field(default_factory=FakePasswordHasher)
    clock: FixedClock = field(default_factory=FixedClock)
    mail: MemoryEmailSender = field(default_factory=MemoryEmailSender)
    links: HmacLinkTokens = field(default_factory=lambda: HmacLinkTokens("k" * 40))
    issuer: JwtTokenIssuer = field(
        default_factory=lambda: JwtTokenIssuer(
            secret="s" * 40,
            issuer="avthrift",
            audience="avthrift-api",
            access_ttl=timedelta(minutes=15),
            refresh_ttl=timedelta(hours=24),
        )
    )
    policy: IdentityPolicy = field(
        default_factory=lambda: IdentityPolicy(
            frontend_url="http://shop.test",
            reset_ttl=timedelta(hours=1),
            verify_ttl=timedelta(days=3),
            change_ttl=timedelta(hours=24),
        )
    )

    def create_user(self) -> CreateUser:
        return CreateUser(self.uow, self.users, self.hasher, self.clock)

    def sign_in(self) -> SignIn:
        return SignIn(self.uow, self.users, self.hasher, self.issuer, self.tokens, self.clock)

    def register(self) -> Register:
        return Register(self.create_user(), self.links, self.mail, self.policy, self.clock)

    async def user(self, email: str = "ada@example.com", username: str = "ada") -> User:
        return await self.create_user()(username=username, email=email, password=PASSWORD)


def link_params(body: str) -> dict[str, str]:
    url = next(word for word in body.split() if word.startswith("http"))
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


@pytest.fixture
def world() -> World:
    return World()


async def test_sign_in_by_email_any_case_and_by_phone(world: World) -> None:
    user = await world.user()
    user.phone = "+2348012345678"
    await world.users.update(user)
    assert (await world.sign_in()(" ADA@Example.com ", PASSWORD)).access
    assert (await world.sign_in()("+234 801 234 5678", PASSWORD)).access
    assert len(world.tokens.tokens) == 2


async def test_unknown_user_spends_a_verification_and_fails_like_a_wrong_password(world: World) -> None:
    await world.user()
    with pytest.raises(InvalidCredentialsError) as unknown:
        await world.sign_in()("nobody@example.com", PASSWORD)
    with pytest.raises(InvalidCredentialsError) as wrong:
        await world.sign_in()("ada@example.com", "wrong password")
    assert world.hasher.verifications == 2
    assert unknown.value.detail == wrong.value.detail == "Invalid credentials."


async def test_inactive_users_cannot_sign_in(world: World) -> None:
    user = await world.user()
    user.is_active = False
    await world.users.update(user)
    with pytest.raises(InvalidCredentialsError):
        await world.sign_in()("ada@example.com", PASSWORD)


async def test_refresh_rotates_and_reuse_revokes_the_family(world: World) -> None:
    await world.user()
    first = await world.sign_in()("ada@example.com", PASSWORD)
    refresh = RefreshTokens(world.uow, world.users, world.issuer, world.tokens, world.clock)
    second = await refresh(first.refresh)
    assert second.refresh != first.refresh
    with pytest.raises(InvalidTokenError):
        await refresh(first.refresh)  # reuse of a rotated token
    with pytest.raises(InvalidTokenError):
        await refresh(second.refresh)  # ... ended the whole family
    verify = VerifyToken(world.uow, world.issuer, world.tokens, world.clock)
    with pytest.raises(InvalidTokenError):
        await verify(second.access)


async def test_sign_out_revokes_access_and_refresh_for_verify(world: World) -> None:
    await world.user()
    tokens = await world.sign_in()("ada@example.com", PASSWORD)
    verify = VerifyToken(world.uow, world.issuer, world.tokens, world.clock)
    await verify(tokens.access)
    await verify(tokens.refresh)
    await SignOut(world.uow, world.issuer, world.tokens, world.clock)(tokens.refresh)
    for token in (tokens.access, tokens.refresh):
        with pytest.raises(InvalidTokenError):
            await verify(token)


async def test_register_commits_then_mails_a_verification_link(world: World) -> None:
    user = await world.register()(username="ada", email="Ada@Example.com", password=PASSWORD)
    assert world.uow.commits == 1
    (message,) = world.mail.outbox
    assert message.to == "ada@example.com"
    assert message.subject == "Verify your AVThrift email"
    params = link_params(message.body)
    assert message.body.startswith("Confirm your email with this link: http://shop.test/verify-email?")
    confirm = ConfirmEmail(world.uow, world.users, world.links, world.policy, world.clock)
    await confirm(uid=params["uid"], token=params["token"])
    assert (await world.users.get(user.id)) is not None
    assert (await world.users.get(user.id)).email_verified  # type: ignore[union-attr]
    with pytest.raises(InvalidLinkError):
        await confirm(uid=params["uid"], token=params["token"])  # spent


async def test_a_mail_failure_keeps_the_registration(world: World) -> None:
    world.mail.fail_next = True
    user = await world.register()(username="ada", email="ada@example.com", password=PASSWORD)
    assert world.mail.outbox == []
    assert await world.users.get(user.id) is not None


async def test_registration_refuses_weak_passwords_and_taken_identifiers(world: World) -> None:
    await world.user()
    with pytest.raises(InvalidInputError, match=r"Email is already registered\."):
        await world.create_user()(username="other", email="ADA@example.com", password=PASSWORD)
    with pytest.raises(InvalidInputError, match=r"Username is already taken\."):
        await world.create_user()(username="ADA", email="new@example.com", password=PASSWORD)
    with pytest.raises(InvalidInputError, match="too common"):
        await world.create_user()(username="bob", email="bob@example.com", password="password123")


async def test_password_reset_link_is_single_use_and_ends_every_session(world: World) -> None:
    await world.user()
    tokens = await world.sign_in()("ada@example.com", PASSWORD)
    request = RequestPasswordReset(world.uow, world.users, world.links, world.mail, world.policy, world.clock)
    await request("nobody@example.com")
    assert world.mail.outbox == []
    await request("ADA@example.com")
    params = link_params(world.mail.outbox[0].body)
    reset = ResetPassword(
        world.uow, world.users, world.links, world.hasher, world.tokens, world.policy, world.clock
    )
    await reset(uid=params["uid"], token=params["token"], new_password="Another-strong-pass-9")
    assert not await world.tokens.is_live(tokens.refresh_claims.jti, world.clock.now())
    with pytest.raises(InvalidLinkError):
        await reset(uid=params["uid"], token=params["token"], new_password="Yet-another-pass-10")
    assert (await world.sign_in()("ada@example.com", "Another-strong-pass-9")).access


async def test_password_reset_link_expires(world: World) -> None:
    await world.user()
    request = RequestPasswordReset(world.uow, world.users, world.links, world.mail, world.policy, world.clock)
    await request("ada@example.com")
    params = link_params(world.mail.outbox[0].body)
    world.clock.advance(hours=1, seconds=1)
    reset = ResetPassword(
        world.uow, world.users, world.links, world.hasher, world.tokens, world.policy, world.clock
    )
    with pytest.raises(InvalidLinkError):
        await reset(uid=params["uid"], token=params["token"], new_password="Another-strong-pass-9")


async def test_change_password_checks_the_current_one_and_revokes_sessions(world: World) -> None:
    user = await world.user()
    tokens = await world.sign_in()("ada@example.com", PASSWORD)
    change = ChangePassword(world.uow, world.users, world.hasher, world.tokens, world.clock)
    with pytest.raises(InvalidInputError):
        await change(user_id=user.id, current_password="nope", new_password="Another-strong-pass-9")
    await change(user_id=user.id, current_password=PASSWORD, new_password="Another-strong-pass-9")
    assert not await world.tokens.is_live(tokens.refresh_claims.jti, world.clock.now())


async def test_email_change_to_a_taken_address_sends_nothing(world: World) -> None:
    ada = await world.user()
    await world.user("bob@example.com", "bob")
    request = RequestEmailChange(world.uow, world.users, world.links, world.mail, world.policy, world.clock)
    await request(user_id=ada.id, new_email="BOB@example.com")
    assert world.mail.outbox == []
    await request(user_id=ada.id, new_email="ada.new@example.com")
    (message,) = world.mail.outbox
    assert message.to == "ada.new@example.com"
    params = link_params(message.body)
    await ConfirmEmailChange(world.uow, world.users, world.links, world.tokens, world.policy, world.clock)(
        uid=params["uid"], token=params["token"]
    )
    changed = await world.users.get(ada.id)
    assert changed is not None
    assert (changed.email, changed.pending_email, changed.email_verified) == (
        "ada.new@example.com",
        None,
        True,
    )


async def test_phone_numbers_are_unique(world: World) -> None:
    ada = await world.user()
    bob = await world.user("bob@example.com", "bob")
    update = UpdateProfile(world.uow, world.users)
    await update(ada.id, ProfileChanges(phone="+2348012345678"))
    with pytest.raises(PhoneTakenError):
        await update(bob.id, ProfileChanges(phone="+2348012345678"))
    with pytest.raises(InvalidInputError, match=r"E\.164"):
        await update(bob.id, ProfileChanges(phone="08012345678"))
    assert (await update(ada.id, ProfileChanges(phone=""))).phone is None
