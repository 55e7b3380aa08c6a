import secrets
import uuid
from datetime import UTC, datetime, timedelta

import jwt

from avthrift.domain.identity.errors import InvalidTokenError
from avthrift.domain.identity.model import User
from avthrift.domain.identity.ports import IssuedTokens, TokenClaims, TokenIssuer, TokenType

ALGORITHM = "HS256"  # pinned: the header's "alg" is never trusted (no "none", no key confusion)
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "fam"]
_CLOCK_SKEW_SECONDS = 30


class JwtTokenIssuer(TokenIssuer):
    def __init__(
        self, *, secret: str, issuer: str, audience: str, access_ttl: timedelta, refresh_ttl: timedelta
    ) -> None:
        self._secret, self._issuer, self._audience = secret, issuer, audience
        self._ttl: dict[TokenType, timedelta] = {"access": access_ttl, "refresh": refresh_ttl}

    def new_family(self) -> str:
        return secrets.token_urlsafe(16)

    def issue(self, user: User, family: str, now: datetime) -> IssuedTokens:
        access, _ = self._encode("access", user, family, now)
        refresh, refresh_claims = self._encode("refresh", user, family, now)
        return IssuedTokens(access=access, refresh=refresh, refresh_claims=refresh_claims)

    def _encode(self, kind: TokenType, user: User, family: str, now: datetime) -> tuple[str, TokenClaims]:
        claims = TokenClaims(
            type=kind,
            user_id=user.id,
            jti=uuid.uuid4().hex,
            family=family,
            is_staff=user.is_staff,
            expires_at=now.replace(microsecond=0) + self._ttl[kind],
        )
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user.id),
            "typ": kind,
            "jti": claims.jti,
            "fam": family,
            "staff": user.is_staff,
            "iat": int(now.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), claims

    def read(self, token: str, now: datetime, expected: TokenType | None = None) -> TokenClaims:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Time is the Clock port's: PyJWT checks the claims are there, this method checks them.
                options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False},
            )
            kind = payload["typ"]
            issued_at, expires_at = int(payload["iat"]), int(payload["exp"])
            user_id, jti, family = int(payload["sub"]), str(payload["jti"]), str(payload["fam"])
        except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
            raise InvalidTokenError("Token is invalid.") from None
        if kind not in self._ttl or (expected is not None and kind != expected):
            raise InvalidTokenError("Token has the wrong type.")
        if expires_at <= now.timestamp():
            raise InvalidTokenError("Token is expired.")
        if issued_at > now.timestamp() + _CLOCK_SKEW_SECONDS:
            raise InvalidTokenError("Token is not valid yet.")
        return TokenClaims(
            type=kind,
            user_id=user_id,
            jti=jti,
            family=family,
            is_staff=payload.get("staff") is True,
            expires_at=datetime.fromtimestamp(expires_at, tz=UTC),
        )
