"""The signed-in user's own account: read, update profile fields, change email by emailed link."""

from dataclasses import dataclass

from avthrift.domain.identity.errors import EmailInUseError, NoPendingEmailError, PhoneTakenError
from avthrift.domain.identity.links import IdentityPolicy, link_mail, link_state
from avthrift.domain.identity.model import NAME_MAX_LENGTH, User, normalise_email, normalise_phone
from avthrift.domain.identity.ports import LinkTokens, RefreshTokenStore, UserRepository
from avthrift.domain.identity.use_cases._links import user_from_link
from avthrift.domain.shared.email import EmailSender, send_after_commit
from avthrift.domain.shared.errors import ConflictError, NotFoundError, field_error
from avthrift.domain.shared.ports import Clock, UnitOfWork


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileChanges:
    """Fields to change; `None` leaves a field as it is, an empty phone clears it."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


class GetAccount:
    def __init__(self, uow: UnitOfWork, users: UserRepository) -> None:
        self._uow, self._users = uow, users

    async def __call__(self, user_id: int) -> User:
        async with self._uow:
            user = await self._users.get(user_id)
        if user is None:
            raise NotFoundError
        return user


class UpdateProfile:
    def __init__(self, uow: UnitOfWork, users: UserRepository) -> None:
        self._uow, self._users = uow, users

    async def __call__(self, user_id: int, changes: ProfileChanges) -> User:
        async with self._uow:
            user = await self._users.get(user_id)
            if user is None:
                raise NotFoundError
            for field in ("first_name", "last_name"):
                value = getattr(changes, field)
                if value is not None:
                    if len(value.strip()) > NAME_MAX_LENGTH:
                        raise field_error(field, f"Enter at most {NAME_MAX_LENGTH} characters.")
                    setattr(user, field, value.strip())
            if changes.phone is not None:
                user.phone = normalise_phone(changes.phone) if changes.phone.strip() else None
            try:
                await self._users.update(user)
                await self._uow.commit()
            except ConflictError:
                raise PhoneTakenError from None
        return user


class RequestEmailChange:
    """A taken address answers exactly like a free one and simply sends nothing (contract §3)."""

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

    async def __call__(self, *, user_id: int, new_email: str) -> None:
        new_email = normalise_email(new_email, "new_email")
        async with self._uow:
            user = await self._users.get(user_id)
            if user is None:
                raise NotFoundError
            if new_email == user.email:
                raise field_error("new_email", "New email must be different from current email.")
            if await self._users.email_taken(new_email, except_user=user.id):
                return
            user.pending_email = new_email
            try:
                await self._users.update(user)
                await self._uow.commit()
            except ConflictError:  # another account reserved it a moment ago
                return
        token = self._links.make("change", user.id, link_state("change", user), self._clock.now())
        await send_after_commit(self._mailer, link_mail(self._policy, "change", new_email, user.id, token))


class ConfirmEmailChange:
    """Moves the account to the new address and ends every session (the sign-in identity changed)."""

    def __init__(
        self,
        uow: UnitOfWork,
        users: UserRepository,
        links: LinkTokens,
        refresh_tokens: RefreshTokenStore,
        policy: IdentityPolicy,
        clock: Clock,
    ) -> None:
        self._uow, self._users, self._links = uow, users, links
        self._refresh_tokens, self._policy, self._clock = refresh_tokens, policy, clock

    async def __call__(self, *, uid: str, token: str) -> None:
        now = self._clock.now()
        async with self._uow:
            user = await user_from_link(self._users, self._links, self._policy, "change", uid, token, now)
            if user.pending_email is None:
                raise NoPendingEmailError
            user.email, user.pending_email, user.email_verified = user.pending_email, None, True
            try:
                await self._users.update(user)
                await self._refresh_tokens.revoke_user(user.id, now)
                await self._uow.commit()
            except ConflictError:
                raise EmailInUseError from None
