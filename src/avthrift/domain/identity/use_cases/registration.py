"""Registration, staff accounts and email verification."""

from avthrift.domain.identity.links import IdentityPolicy, link_mail, link_state
from avthrift.domain.identity.model import NewUser, User, check_username, normalise_email
from avthrift.domain.identity.passwords import check_password
from avthrift.domain.identity.ports import LinkTokens, PasswordHasher, UserRepository
from avthrift.domain.identity.use_cases._links import user_from_link
from avthrift.domain.shared.email import EmailSender, send_after_commit
from avthrift.domain.shared.errors import ConflictError, field_error
from avthrift.domain.shared.ports import Clock, UnitOfWork


class CreateUser:
    """Validates and stores a new account (no mail): the shared core of sign-up and staff creation."""

    def __init__(self, uow: UnitOfWork, users: UserRepository, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow, self._users, self._hasher, self._clock = uow, users, hasher, clock

    async def __call__(
        self,
        *,
        username: str,
        email: str,
        password: str,
        first_name: str = "",
        last_name: str = "",
        is_staff: bool = False,
    ) -> User:
        username = check_username(username)
        email = normalise_email(email)
        check_password(password, email=email, username=username)
        async with self._uow:
            if await self._users.email_taken(email):
                raise field_error("email", "Email is already registered.")
            if await self._users.username_taken(username):
                raise field_error("username", "Username is already taken.")
        password_hash = await self._hasher.hash(password)  # no transaction open while hashing
        new_user = NewUser(
            username=username,
            email=email,
            password_hash=password_hash,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            is_staff=is_staff,
            date_joined=self._clock.now(),
        )
        async with self._uow:
            try:
                user = await self._users.add(new_user)
                await self._uow.commit()
            except ConflictError:  # a concurrent sign-up took the name or address meanwhile
                raise field_error("email", "Email or username is already registered.") from None
        return user


class Register:
    """Sign-up: the account is committed first, then the verification link goes out by email."""

    def __init__(
        self,
        create_user: CreateUser,
        links: LinkTokens,
        mailer: EmailSender,
        policy: IdentityPolicy,
        clock: Clock,
    ) -> None:
        self._create_user, self._links, self._mailer = create_user, links, mailer
        self._policy, self._clock = policy, clock

    async def __call__(
        self, *, username: str, email: str, password: str, first_name: str = "", last_name: str = ""
    ) -> User:
        user = await self._create_user(
            username=username, email=email, password=password, first_name=first_name, last_name=last_name
        )
        token = self._links.make("verify", user.id, link_state("verify", user), self._clock.now())
        await send_after_commit(self._mailer, link_mail(self._policy, "verify", user.email, user.id, token))
        return user


class RequestEmailVerification:
    """Same answer whether or not the address is known; mails only unverified, active accounts."""

    def __init__(
        self,
        uow: UnitOfWork,
        users: UserRepository,
        links: LinkTokens,
        mailer: EmailSender,
        policy: IdentityPolicy,
        clock: Clock,
    ) -> None:
        self._uow, self._users, self._links = uow, users, links
        self._mailer, self._policy, self._clock = mailer, policy, clock

    async def __call__(self, *, email: str | None = None, user_id: int | None = None) -> None:
        async with self._uow:
            if user_id is not None:
                user = await self._users.get(user_id)
            else:
                user = await self._users.by_email((email or "").strip().lower())
        if user is None or user.email_verified or not user.is_active:
            return
        token = self._links.make("verify", user.id, link_state("verify", user), self._clock.now())
        await send_after_commit(self._mailer, link_mail(self._policy, "verify", user.email, user.id, token))


class ConfirmEmail:
    def __init__(
        self, uow: UnitOfWork, users: UserRepository, links: LinkTokens, policy: IdentityPolicy, clock: Clock
    ) -> None:
        self._uow, self._users, self._links, self._policy, self._clock = uow, users, links, policy, clock

    async def __call__(self, *, uid: str, token: str) -> None:
        async with self._uow:
            user = await user_from_link(
                self._users, self._links, self._policy, "verify", uid, token, self._clock.now()
            )
            user.email_verified = True
            await self._users.update(user)
            await self._uow.commit()
