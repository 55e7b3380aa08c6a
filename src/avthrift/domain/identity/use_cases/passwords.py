"""Password reset by emailed link, and password change. Both end every refresh-token family."""

from avthrift.domain.identity.errors import WrongPasswordError
from avthrift.domain.identity.links import IdentityPolicy, link_mail, link_state
from avthrift.domain.identity.passwords import check_password
from avthrift.domain.identity.ports import LinkTokens, PasswordHasher, RefreshTokenStore, UserRepository
from avthrift.domain.identity.use_cases._links import user_from_link
from avthrift.domain.shared.email import EmailSender, send_after_commit
from avthrift.domain.shared.errors import NotFoundError
from avthrift.domain.shared.ports import Clock, UnitOfWork


class RequestPasswordReset:
    """Same answer for known and unknown addresses; the link goes only to the mailbox."""

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

    async def __call__(self, email: str) -> None:
        async with self._uow:
            user = await self._users.by_email(email.strip().lower())
        if user is None or not user.is_active:
            return
        token = self._links.make("reset", user.id, link_state("reset", user), self._clock.now())
        await send_after_commit(self._mailer, link_mail(self._policy, "reset", user.email, user.id, token))


class ResetPassword:
    def __init__(
        self,
        uow: UnitOfWork,
        users: UserRepository,
        links: LinkTokens,
        hasher: PasswordHasher,
        refresh_tokens: RefreshTokenStore,
        policy: IdentityPolicy,
        clock: Clock,
    ) -> None:
        self._uow, self._users, self._links, self._hasher = uow, users, links, hasher
        self._refresh_tokens, self._policy, self._clock = refresh_tokens, policy, clock

    async def __call__(self, *, uid: str, token: str, new_password: str) -> None:
        now = self._clock.now()
        async with self._uow:
            user = await user_from_link(self._users, self._links, self._policy, "reset", uid, token, now)
        check_password(new_password, email=user.email, username=user.username, field="new_password")
        password_hash = await self._hasher.hash(new_password)
        async with self._uow:
            # Re-check inside the writing transaction: the link is spent once the hash changes.
            user = await user_from_link(self._users, self._links, self._policy, "reset", uid, token, now)
            user.password_hash = password_hash
            await self._users.update(user)
            await self._refresh_tokens.revoke_user(user.id, now)
            await self._uow.commit()


class ChangePassword:
    def __init__(
        self,
        uow: UnitOfWork,
        users: UserRepository,
        hasher: PasswordHasher,
        refresh_tokens: RefreshTokenStore,
        clock: Clock,
    ) -> None:
        self._uow, self._users, self._hasher = uow, users, hasher
        self._refresh_tokens, self._clock = refresh_tokens, clock

    async def __call__(self, *, user_id: int, current_password: str, new_password: str) -> None:
        async with self._uow:
            user = await self._users.get(user_id)
        if user is None:
            raise NotFoundError
        if not await self._hasher.verify(current_password, user.password_hash):
            raise WrongPasswordError(invalid_params=[{"name": "current_password", "reason": "Incorrect."}])
        check_password(new_password, email=user.email, username=user.username, field="new_password")
        password_hash = await self._hasher.hash(new_password)
        async with self._uow:
            user = await self._users.get(user_id)
            if user is None:
                raise NotFoundError
            user.password_hash = password_hash
            await self._users.update(user)
            await self._refresh_tokens.revoke_user(user.id, self._clock.now())
            await self._uow.commit()
