import secrets
import uuid
from datetime import datetime, timedelta

import jwt

from avthrift.domain.identity.errors import InvalidTokenError
from avthrift.domain.identity.model import User
from avthrift.domain.identity.ports import IssuedTokens, TokenClaims, TokenIssuer, TokenType

ALGORITHM = "HS256"  # pinned: the header's "alg" is never trusted (no "none", no key confusion)
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "fam"]


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
                options={"require": _REQUIRED, "verify_iat": True},
                leeway=0,
            )
            kind = payload["typ"]
            if kind not in self._ttl or (expected is not None and kind != expected):
                raise InvalidTokenError("Token has the wrong type.")
            expires_at = datetime.fromtimestamp(int(payload["exp"]), tz=now.tzinfo)
            if expires_at <= now:  # the Clock port decides, not the wall clock inside PyJWT alone
                raise InvalidTokenError("Token is expired.")
            return TokenClaims(
                type=kind,
                user_id=int(payload["sub"]),
                jti=str(payload["jti"]),
                family=str(payload["fam"]),
                is_staff=bool(payload.get("staff", False)),
                expires_at=expires_at,
            )
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("Token is expired.") from None
        except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
            raise InvalidTokenError("Token is invalid.") from None
