"""Sign-in, token refresh (rotation with reuse detection), verification and sign-out."""

from avthrift.domain.identity.errors import InvalidCredentialsError, InvalidTokenError
from avthrift.domain.identity.model import User, identifier_key, looks_like_email
from avthrift.domain.identity.ports import (
    IssuedTokens,
    PasswordHasher,
    RefreshTokenStore,
    TokenIssuer,
    UserRepository,
)
from avthrift.domain.shared.ports import Clock, UnitOfWork


class SignIn:
    """Email (any case) or E.164 phone + password. Every failure is the same `400`, and an unknown
    identifier still costs one hash verification (no account enumeration by timing)."""

    def __init__(
        self,
        uow: UnitOfWork,
        users: UserRepository,
        hasher: PasswordHasher,
        issuer: TokenIssuer,
        refresh_tokens: RefreshTokenStore,
        clock: Clock,
    ) -> None:
        self._uow, self._users, self._hasher = uow, users, hasher
        self._issuer, self._refresh_tokens, self._clock = issuer, refresh_tokens, clock

    async def __call__(self, identifier: str, password: str) -> IssuedTokens:
        async with self._uow:  # read only: no transaction stays open while hashing
            user = await self._find(identifier)
        if user is None:
            await self._hasher.verify_dummy(password)
            raise InvalidCredentialsError
        if not await self._hasher.verify(password, user.password_hash) or not user.is_active:
            raise InvalidCredentialsError
        tokens = self._issuer.issue(user, self._issuer.new_family(), self._clock.now())
        async with self._uow:
            await self._refresh_tokens.add(tokens.refresh_claims)
            await self._uow.commit()
        return tokens

    async def _find(self, identifier: str) -> User | None:
        key = identifier_key(identifier)
        return await (self._users.by_email(key) if looks_like_email(key) else self._users.by_phone(key))


class RefreshTokens:
    """Every use rotates the refresh token; presenting a spent one revokes its whole family."""

    def __init__(
        self,
        uow: UnitOfWork,
        users: UserRepository,
        issuer: TokenIssuer,
        refresh_tokens: RefreshTokenStore,
        clock: Clock,
    ) -> None:
        self._uow, self._users, self._issuer = uow, users, issuer
        self._refresh_tokens, self._clock = refresh_tokens, clock

    async def __call__(self, refresh: str) -> IssuedTokens:
        now = self._clock.now()
        claims = self._issuer.read(refresh, now, expected="refresh")
        async with self._uow:
            user = await self._users.get(claims.user_id)
            if not await self._refresh_tokens.consume(claims.jti, now) or user is None or not user.is_active:
                # Reuse of a rotated token means it leaked: end every session descended from it.
                await self._refresh_tokens.revoke_family(claims.family, now)
                await self._uow.commit()
                raise InvalidTokenError("Token has been revoked.")
            tokens = self._issuer.issue(user, claims.family, now)
            await self._refresh_tokens.add(tokens.refresh_claims)
            await self._uow.commit()
        return tokens


class VerifyToken:
    """Valid signature, claims and expiry, and not revoked (access or refresh)."""

    def __init__(
        self, uow: UnitOfWork, issuer: TokenIssuer, refresh_tokens: RefreshTokenStore, clock: Clock
    ) -> None:
        self._uow, self._issuer, self._refresh_tokens, self._clock = uow, issuer, refresh_tokens, clock

    async def __call__(self, token: str) -> None:
        now = self._clock.now()
        claims = self._issuer.read(token, now)
        async with self._uow:
            if claims.type == "refresh":
                live = await self._refresh_tokens.is_live(claims.jti, now)
            else:
                live = await self._refresh_tokens.family_is_live(claims.family)
        if not live:
            raise InvalidTokenError("Token has been revoked.")


class SignOut:
    """Revokes the refresh token's whole family; its access tokens fail `/auth/verify/` from now on."""

    def __init__(
        self, uow: UnitOfWork, issuer: TokenIssuer, refresh_tokens: RefreshTokenStore, clock: Clock
    ) -> None:
        self._uow, self._issuer, self._refresh_tokens, self._clock = uow, issuer, refresh_tokens, clock

    async def __call__(self, refresh: str) -> None:
        now = self._clock.now()
        claims = self._issuer.read(refresh, now, expected="refresh")
        async with self._uow:
            await self._refresh_tokens.revoke_family(claims.family, now)
            await self._uow.commit()
